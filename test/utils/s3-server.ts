/**
 * An S3-compatible server that runs here: s3rver, on a free port, its objects in
 * a temporary folder. s3rver implements multipart uploads but not three of the
 * calls @tus/s3-store makes on them, so this adds them over s3rver's own files
 * (`<bucket>/._S3rver_uploads/<uploadId>/<partNumber>`, each with its `.md5`):
 * ListParts (GET ?uploadId), AbortMultipartUpload (DELETE ?uploadId) and
 * ListMultipartUploads (GET ?uploads).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

const S3_BUCKET = 'staging';
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface S3Server {
  url: string;
  /** The gateway's settings for staging in this server. */
  env: Record<string, string>;
  /** Objects and multipart uploads in the bucket (nothing left means nothing staged). */
  contents(): Promise<{ objects: string[]; multipartUploads: string[] }>;
  stop(): Promise<void>;
}

export async function startS3Server(): Promise<S3Server> {
  const directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: [{ name: S3_BUCKET, configs: [] }],
  });
  const uploadsDir = join(directory, S3_BUCKET, '._S3rver_uploads');
  // Runs before s3rver's own routes.
  (server as unknown as { middleware: unknown[] }).middleware.unshift(multipartCalls(uploadsDir));
  const address = (await server.run()) as AddressInfo;
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    env: {
      STAGING_S3_BUCKET: S3_BUCKET,
      STAGING_S3_ENDPOINT: url,
      STAGING_S3_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      STAGING_S3_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    },
    async contents() {
      const names = await readdir(join(directory, S3_BUCKET)).catch(() => []);
      return {
        objects: names
          .filter((name) => name.endsWith('._S3rver_object'))
          .map((name) => name.replace('._S3rver_object', '')),
        multipartUploads: await readdir(uploadsDir).catch(() => []),
      };
    },
    async stop() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  status: number;
  body: unknown;
  type: string;
}

function multipartCalls(uploadsDir: string) {
  return async (ctx: KoaContext, next: () => Promise<void>) => {
    const uploadId = ctx.query.uploadId;
    const [bucket, ...keyParts] = ctx.path.slice(1).split('/');
    const key = decodeURIComponent(keyParts.join('/'));
    if (ctx.method === 'GET' && 'uploads' in ctx.query && keyParts.length === 0) {
      const uploads = await readdir(uploadsDir).catch(() => []);
      const entries = await Promise.all(
        uploads.map(async (id) => {
          const [uploadKey, info] = await Promise.all([
            readFile(join(uploadsDir, id, 'key'), 'utf8'),
            stat(join(uploadsDir, id)),
          ]);
          return `<Upload><Key>${uploadKey}</Key><UploadId>${id}</UploadId><Initiated>${info.birthtime.toISOString()}</Initiated></Upload>`;
        }),
      );
      return xml(
        ctx,
        `<ListMultipartUploadsResult><Bucket>${bucket}</Bucket><IsTruncated>false</IsTruncated>${entries.join('')}</ListMultipartUploadsResult>`,
      );
    }
    if (uploadId === undefined || keyParts.length === 0 || !['GET', 'DELETE'].includes(ctx.method)) return next();
    const dir = join(uploadsDir, uploadId);
    const exists = await stat(dir).then(
      () => true,
      () => false,
    );
    if (!exists) {
      ctx.status = 404;
      return xml(
        ctx,
        `<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>`,
        404,
      );
    }
    if (ctx.method === 'DELETE') {
      await rm(dir, { recursive: true, force: true });
      ctx.status = 204;
      ctx.body = '';
      return;
    }
    const numbers = (await readdir(dir))
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .sort((a, b) => a - b);
    const parts = await Promise.all(
      numbers.map(async (number) => {
        const [info, md5] = await Promise.all([
          stat(join(dir, String(number))),
          readFile(join(dir, `${number}.md5`), 'utf8'),
        ]);
        return `<Part><PartNumber>${number}</PartNumber><ETag>"${md5}"</ETag><Size>${info.size}</Size></Part>`;
      }),
    );
    return xml(
      ctx,
      `<ListPartsResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${uploadId}</UploadId><IsTruncated>false</IsTruncated>${parts.join('')}</ListPartsResult>`,
    );
  };
}

function xml(ctx: KoaContext, body: string, status = 200): void {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>${body}`;
}
