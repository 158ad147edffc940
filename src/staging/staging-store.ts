/**
 * Where a resumable upload's bytes wait: a tus DataStore and the Locker that
 * keeps two requests from writing one upload at once.
 *  - One instance: files under DATA_DIR/staging (@tus/file-store), locked in
 *    memory. Every PATCH is synced to disk before its new offset is answered,
 *    so the offset a client resumes from is never ahead of the disk.
 *  - Several instances, or STAGING_S3_BUCKET: S3-compatible object storage
 *    (@tus/s3-store, its metadata cache on Redis when there is one), locked on
 *    Redis (redis-locker.ts) when there are several instances. S3 acknowledges
 *    a part only once stored.
 * The AWS SDK is loaded only when S3 staging is configured: it is large, and
 * a gateway that stages on disk never needs it.
 */
import { open, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';
import { MemoryLocker } from '@tus/server';
import { ERRORS, IoRedisKvStore, type DataStore, type Locker } from '@tus/utils';
import type { Redis } from 'ioredis';
import type { StagingConfig } from '../config.js';
import { RedisLocker } from './redis-locker.js';

/**
 * No Upload-Expires header: tus would compute it from the creation time alone, while an upload
 * here expires after an idle spell (STAGING_IDLE_EXPIRY_MS), which nobody knows at creation
 * (tus 1.0 asks for the header only when the expiry is known then).
 */
const NO_UPLOAD_EXPIRES = 0;

export interface StagingStore {
  readonly store: DataStore;
  readonly locker: Locker;
  /** Bytes free for staging on the disk staging writes to; undefined when the store is not a local disk. */
  freeBytes(): Promise<number | undefined>;
  /** The staged file, from its first byte. */
  read(id: string): Promise<Readable>;
  /** What this store is, for the start-up log. */
  readonly description: string;
}

export interface StagingStoreOptions {
  config: StagingConfig;
  /** DATA_DIR, where file staging goes (a folder `staging` in it). */
  dataDir: string;
  /** With several instances: the Redis connections the lock and the S3 metadata cache share. */
  redis: { command: Redis; subscriber: Redis; prefix: string } | undefined;
}

export async function openStagingStore(options: StagingStoreOptions): Promise<StagingStore> {
  const { config, redis } = options;
  const locker = redis ? new RedisLocker(redis.command, redis.subscriber, redis.prefix) : new MemoryLocker();
  if (config.s3) {
    const { S3Store } = await import('@tus/s3-store');
    /**
     * Removing an upload removes every object it left: @tus/s3-store's own remove aborts the
     * multipart upload first, which fails for a completed one (S3 answers NoSuchUpload), and
     * leaves an unfinished upload's incomplete part behind.
     */
    class CompleteS3Store extends S3Store {
      override async remove(id: string): Promise<void> {
        await super.remove(id).catch((error: unknown) => {
          if (error !== ERRORS.FILE_NOT_FOUND) throw error;
        });
        const keys = [id, this.infoKey(id), this.partKey(id, true)];
        await this.client.deleteObjects({ Bucket: this.bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } });
        await this.clearCache(id);
      }
    }
    const { bucket, endpoint, region, credentials } = config.s3;
    const store = new CompleteS3Store({
      // Parts of 8 MiB: the least S3 takes is 5 MiB, and each part is acknowledged once stored.
      partSize: 8 * 1024 * 1024,
      // Expiry is the gateway's (its sweep removes each expired upload, see NO_UPLOAD_EXPIRES); object
      // tags are not needed for it.
      expirationPeriodInMilliseconds: NO_UPLOAD_EXPIRES,
      useTags: false,
      cache: redis ? new IoRedisKvStore(redis.command, `${redis.prefix}tus-s3:`) : undefined,
      s3ClientConfig: {
        bucket,
        region,
        endpoint,
        credentials,
        forcePathStyle: endpoint !== undefined,
        // Checksums only where S3 requires them: the SDK's default sends streamed parts aws-chunked with
        // a trailing CRC, which S3-compatible stores do not all understand (s3rver stores the framing as
        // data). Each part is still checked by its Content-MD5/ETag.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      },
    });
    return {
      store,
      locker,
      freeBytes: async () => undefined,
      read: async (id) => (await store.read(id)) as Readable,
      description: `S3 bucket ${bucket}${endpoint ? ` at ${endpoint}` : ''}`,
    };
  }
  const directory = join(options.dataDir, 'staging');
  const store = new DurableFileStore({ directory, expirationPeriodInMilliseconds: NO_UPLOAD_EXPIRES });
  return {
    store,
    locker,
    freeBytes: async () => {
      const stats = await statfs(directory).catch(() => statfs(options.dataDir));
      return stats.bavail * stats.bsize;
    },
    read: async (id) => store.read(id),
    description: `files in ${directory}`,
  };
}

/** @tus/file-store, with every write synced to disk before its offset is answered. */
class DurableFileStore extends FileStore {
  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    try {
      return await super.write(readable, id, offset);
    } finally {
      // Whether the request ended or broke, what it wrote is what the next HEAD answers: make it durable first.
      await syncFile(join(this.directory, id));
    }
  }
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+').catch(() => undefined); // removed meanwhile (terminated): nothing to sync
  if (!handle) return;
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
