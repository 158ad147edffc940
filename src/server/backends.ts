/**
 * What the gateway keeps its state in, chosen once (STORE): SQLite on disk for one
 * instance (the default), memory for throwaway runs, or Redis (REDIS_URL) for
 * several instances that behave as one. Everything that differs between them is
 * decided here and nowhere else.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { hasAppWebhooks, type GatewayConfig } from '../config.js';
import { memoryTransport, type EventTransport } from '../events/event-bus.js';
import { redisTransport } from '../events/redis-transport.js';
import type { Logger } from '../logger.js';
import { connectRedis } from '../redis/redis-connections.js';
import { createPollLeases } from '../status/poll-leases.js';
import { createRedisStatusStore } from '../status/redis-status-store.js';
import { openSqliteStatusStore } from '../status/sqlite-status-store.js';
import type { StatusStore } from '../status/status-store.js';
import { uploadPace, type UploadPace } from '../upload/upload-pace.js';
import type { KeyValueStore } from '../kv/key-value-store.js';
import type { ImageStore } from '../images/image-store.js';
import { createRedisImageStore } from '../images/redis-image-store.js';
import { openSqliteImageStore } from '../images/sqlite-image-store.js';
import { createRedisKeyValueStore } from '../kv/redis-key-value-store.js';
import { openSqliteKeyValueStore } from '../kv/sqlite-key-value-store.js';
import { lockDataDir } from '../sqlite/data-dir-lock.js';
import { createRedisStagingLedger } from '../staging/redis-staging-ledger.js';
import { openSqliteStagingLedger } from '../staging/sqlite-staging-ledger.js';
import type { StagingLedger } from '../staging/staged-upload.js';
import { costControl, type CostControl, type CostLimiters } from '../limits/cost-control.js';
import type { DeliveryQueue } from '../webhooks/delivery-queue.js';
import { createRedisDeliveryQueue } from '../webhooks/redis-delivery-queue.js';
import { openSqliteDeliveryQueue } from '../webhooks/sqlite-delivery-queue.js';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface Backends {
  readonly store: StatusStore;
  /** Chat sessions, transcription tasks, erasures and live analyses. */
  readonly records: KeyValueStore;
  /** Owners' image libraries. */
  readonly images: ImageStore;
  /** Per-client budgets of the operations that spend MAVI credits (RATE_LIMIT_*_PER_MINUTE). */
  readonly cost: CostControl;
  /** Failed webhook requests per source address (WEBHOOK_FAILURES_PER_MINUTE). */
  readonly webhookFailures: RateLimiterAbstract;
  readonly events: EventTransport;
  /** Prefixes event topics, so that deployments sharing a Redis do not hear each other. */
  readonly topicNamespace: string;
  /** Decides which pending videos this instance polls; undefined when it is the only one. */
  readonly claimPolls: ((videoNos: string[]) => Promise<string[]>) | undefined;
  /** The shared pace of uploads (MAVI_UPLOADS_PER_MINUTE), undefined without one. */
  readonly uploadPace: UploadPace | undefined;
  /**
   * Where resumable uploads are recorded and staged: the ledger, the folder for file
   * staging, and Redis for the lock and S3 metadata with several instances.
   */
  readonly staging: StagingBackend;
  /** The app's webhook endpoints and deliveries; undefined when there can be none (hasAppWebhooks). */
  readonly deliveries: DeliveryQueue | undefined;
  /** True while the backing service (Redis) is reachable. */
  isReady(): boolean;
  close(): Promise<void>;
}

interface StagingBackend {
  readonly ledger: StagingLedger;
  /** The folder file staging goes under (DATA_DIR; a temporary folder with STORE=memory). */
  readonly dataDir: string;
  readonly redis: { command: Redis; subscriber: Redis; prefix: string } | undefined;
}

export interface BackendOptions {
  /** How events travel, instead of the default (a test's recorder). */
  events?: EventTransport;
}

export function createBackends(config: GatewayConfig, logger: Logger, options: BackendOptions = {}): Backends {
  if (config.store !== 'redis' || !config.redisUrl) {
    // STORE=memory: the same SQLite stores, on databases that live in memory (no file, no lock).
    const inMemory = config.store === 'memory';
    const { store, records, ledger, images, unlock } = openSqlite(config, inMemory ? undefined : config.dataDir);
    // STORE=memory keeps nothing: its staged bytes go to a folder of its own, removed at close.
    const stagingDir = inMemory ? mkdtempSync(join(tmpdir(), 'mavi-gateway-staging-')) : config.dataDir;
    const deliveries = hasAppWebhooks(config)
      ? openSqliteDeliveryQueue({
          dataDir: inMemory ? undefined : config.dataDir,
          // NORMAL, whatever SQLITE_SYNCHRONOUS says: a crash of the process loses no commit (WAL),
          // and what a power loss may lose is redone from the event log (which keeps FULL): a
          // queueing (the cursor did not move), a claim, or an attempt's record (sent again, same
          // id). With the dispatcher's lighter rounds, ingest with webhooks on went from 0.88 to 0.99
          // of without (bench/app-webhooks.ts, medians of three pairs).
          synchronous: 'normal',
        })
      : undefined;
    return {
      deliveries,
      store,
      records,
      images,
      staging: { ledger, dataDir: stagingDir, redis: undefined },
      cost: costControl(
        costLimiters(config, (points, keyPrefix, duration) => new RateLimiterMemory({ points, duration, keyPrefix })),
      ),
      webhookFailures: new RateLimiterMemory({ points: config.webhookFailuresPerMinute, duration: 60 }),
      uploadPace: pace(config, (points) => new RateLimiterMemory({ points, duration: 60 })),
      events: options.events ?? memoryTransport(),
      topicNamespace: '',
      claimPolls: undefined,
      isReady: () => records.isHealthy() && images.isHealthy(),
      close: async () => {
        await deliveries?.close?.();
        await images.close?.();
        await ledger.close?.();
        await records.close?.();
        await store.close?.();
        unlock();
        if (inMemory) rmSync(stagingDir, { recursive: true, force: true });
      },
    };
  }

  const redis = connectRedis(config.redisUrl, logger, config.redisCommandTimeoutMs);
  const instanceId = randomBytes(8).toString('hex');
  const redisStore = createRedisStatusStore({ redis: redis.command, prefix: config.redisPrefix, instanceId });
  return {
    store: redisStore,
    deliveries: hasAppWebhooks(config) ? createRedisDeliveryQueue(redis.command, config.redisPrefix) : undefined,
    records: createRedisKeyValueStore(redis.command, config.redisPrefix),
    images: createRedisImageStore(redis.command, config.redisPrefix),
    staging: {
      ledger: createRedisStagingLedger(redis.command, config.redisPrefix),
      dataDir: config.dataDir,
      redis: { command: redis.command, subscriber: redis.subscriber, prefix: config.redisPrefix },
    },
    webhookFailures: new RateLimiterRedis({
      storeClient: redis.command,
      points: config.webhookFailuresPerMinute,
      duration: 60,
      keyPrefix: `${config.redisPrefix}webhook-failures`,
    }),
    // Every instance spends the same budgets.
    cost: costControl(
      costLimiters(
        config,
        (points, keyPrefix, duration) =>
          new RateLimiterRedis({
            storeClient: redis.command,
            points,
            duration,
            keyPrefix: `${config.redisPrefix}${keyPrefix}`,
          }),
      ),
    ),
    // One budget for every instance: MAVI counts per account.
    uploadPace: pace(
      config,
      (points) =>
        new RateLimiterRedis({
          storeClient: redis.command,
          points,
          duration: 60,
          keyPrefix: `${config.redisPrefix}pace`,
        }),
    ),
    events: options.events ?? redisTransport(redis, logger),
    topicNamespace: config.redisPrefix,
    claimPolls: createPollLeases(redis.command, config.redisPrefix, instanceId, config.statusPollIntervalMs),
    isReady: () => redis.isReady(),
    close: async () => {
      await redisStore.close?.();
      await redis.close();
    },
  };
}

/**
 * The two SQLite stores: in DATA_DIR, locked to this process first (sqlite/data-dir-lock.ts),
 * or in memory when `dataDir` is undefined.
 */
function openSqlite(config: GatewayConfig, dataDir: string | undefined) {
  const unlock = dataDir === undefined ? () => undefined : lockDataDir(dataDir);
  // Each file opened is closed again, newest first, if a later one cannot be opened.
  const opened: { close?(): Promise<void> }[] = [];
  const open = <Store extends { close?(): Promise<void> }>(store: Store): Store => {
    opened.push(store);
    return store;
  };
  try {
    const { sqliteSynchronous: synchronous } = config;
    const store = open(openSqliteStatusStore({ dataDir, synchronous, maxBytes: config.storeMaxBytes }));
    const records = open(openSqliteKeyValueStore(dataDir, synchronous));
    const ledger = open(openSqliteStagingLedger(dataDir, synchronous));
    const images = open(openSqliteImageStore(dataDir, synchronous));
    return { store, records, ledger, images, unlock };
  } catch (error) {
    for (const store of opened.reverse()) void store.close?.();
    unlock();
    throw error;
  }
}

function costLimiters(
  config: GatewayConfig,
  limiter: (points: number, keyPrefix: string, durationSeconds: number) => RateLimiterAbstract,
): CostLimiters {
  return {
    perClass: {
      search: limiter(config.rateLimits.search, 'limit-search', 60),
      chat: limiter(config.rateLimits.chat, 'limit-chat', 60),
      transcript: limiter(config.rateLimits.transcript, 'limit-transcript', 60),
      operation: limiter(config.quotas.operationsPerMinute, 'limit-operation', 60),
    },
    uploads: limiter(config.quotas.uploadsPerHour, 'limit-uploads', 3600),
    uploadBytes: limiter(config.quotas.uploadBytesPerDay, 'limit-upload-bytes', 86400),
    appWide: {
      search: appWide(config.appRateLimits.search, 'limit-app-search'),
      chat: appWide(config.appRateLimits.chat, 'limit-app-chat'),
      transcript: appWide(config.appRateLimits.transcript, 'limit-app-transcript'),
    },
  };
  function appWide(points: number | undefined, keyPrefix: string): RateLimiterAbstract | undefined {
    return points === undefined ? undefined : limiter(points, keyPrefix, 60);
  }
}

function pace(config: GatewayConfig, limiter: (points: number) => RateLimiterAbstract): UploadPace | undefined {
  return config.maviUploadsPerMinute === undefined ? undefined : uploadPace(limiter(config.maviUploadsPerMinute));
}
