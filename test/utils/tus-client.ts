/** tus-js-client in Node, as an app's client uses it: one upload as a promise, with its URL and progress. */
import { request as httpRequest, type ClientRequest } from 'node:http';
import * as tus from 'tus-js-client';
import { request } from 'undici';
import type { ResumableUploadProgressSubscription } from '../generated/operations.js';
import type { Collected } from './graphql-clients.js';

export interface TusUploadOptions {
  endpoint: string;
  file: Buffer;
  headers?: Record<string, string>;
  metadata?: Record<string, string>;
  /** Bytes per PATCH; the whole rest of the file by default, as tus-js-client sends it. */
  chunkSize?: number;
  /** Resume this upload instead of creating one. */
  uploadUrl?: string;
  /** Delays between retries after an error; tus-js-client resumes from the server's offset each time. */
  retryDelays?: number[];
  onProgress?: (sent: number, total: number) => void;
  /** Called once the upload's URL is known (after the POST). */
  onUrl?: (url: string) => void;
}

export interface TusResult {
  url: string;
  /** How many times the client resumed after an error (a HEAD, then PATCHes from the server's offset). */
  retries: number;
}

export function tusUpload(options: TusUploadOptions): Promise<TusResult> {
  return new Promise((resolve, reject) => {
    let retries = 0;
    let announced = false;
    // Only the options given: tus-js-client takes an explicit `undefined` as the value (a chunkSize of undefined sends nothing).
    const given = Object.fromEntries(
      Object.entries({
        uploadUrl: options.uploadUrl,
        chunkSize: options.chunkSize,
        onProgress: options.onProgress,
      }).filter(([, value]) => value !== undefined),
    );
    const upload: tus.Upload = new tus.Upload(options.file, {
      ...given,
      endpoint: options.endpoint,
      headers: options.headers,
      metadata: options.metadata ?? { filename: 'video.mp4', filetype: 'video/mp4' },
      retryDelays: options.retryDelays ?? [],
      removeFingerprintOnSuccess: true,
      onShouldRetry: () => {
        retries += 1;
        return true;
      },
      onAfterResponse: () => {
        if (!announced && upload.url) {
          announced = true;
          options.onUrl?.(upload.url);
        }
      },
      onSuccess: () => resolve({ url: upload.url!, retries }),
      onError: (error) => reject(error),
    });
    upload.start();
  });
}

/** The tus id in an upload's URL: its last segment. */
export function uploadIdOf(url: string): string {
  return new URL(url).pathname.split('/').pop()!;
}

/** One raw tus request (the protocol's header added): its status, headers and body text. */
export async function tusRequest(url: string, method: string, headers: Record<string, string>, body?: Buffer) {
  const answer = await request(url, { method, headers: { 'tus-resumable': '1.0.0', ...headers }, body });
  const text = await answer.body.text();
  return { status: answer.statusCode, headers: answer.headers, text };
}

/** Creates an upload of `length` bytes at `baseUrl`'s /uploads as `headers`' caller; the raw answer. */
export function createUploadRequest(
  baseUrl: string,
  length: number,
  headers: Record<string, string>,
  fileName = 'video.mp4',
) {
  return tusRequest(`${baseUrl}/uploads`, 'POST', {
    ...headers,
    'upload-length': String(length),
    'upload-metadata': `filename ${Buffer.from(fileName).toString('base64')}`,
  });
}

/** Creates an upload that must be accepted; its absolute URL. */
export async function createUpload(baseUrl: string, length: number, headers: Record<string, string>): Promise<string> {
  const created = await createUploadRequest(baseUrl, length, headers);
  if (created.status !== 201) throw new Error(`creating an upload: HTTP ${created.status} ${created.text}`);
  return new URL(created.headers.location as string, baseUrl).href;
}

/** Sends `bytes` from `offset` in one PATCH; its status. */
export async function patchUpload(url: string, offset: number, bytes: Buffer, headers: Record<string, string>) {
  const patched = await tusRequest(
    url,
    'PATCH',
    { ...headers, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
    bytes,
  );
  return patched.status;
}

/**
 * A PATCH of the whole file from offset 0 whose body the caller writes, as much as it likes:
 * a client whose link stalls or dies mid-body. The caller ends or destroys it.
 */
export function openPatch(url: string, length: number, headers: Record<string, string>): ClientRequest {
  return httpRequest(url, {
    method: 'PATCH',
    headers: {
      ...headers,
      'tus-resumable': '1.0.0',
      'upload-offset': '0',
      'content-type': 'application/offset+octet-stream',
      'content-length': String(length),
    },
  });
}

/** The offset the gateway answers for an upload (a HEAD, which takes the upload's lock as a resuming client does). */
export async function offsetOf(url: string, headers: Record<string, string>): Promise<number> {
  return Number((await tusRequest(url, 'HEAD', headers)).headers['upload-offset']);
}

/** Waits for a `resumableUploadProgress` subscription to end; the upload's last state. */
export async function lastProgress(collected: Collected<ResumableUploadProgressSubscription>) {
  await collected.ended();
  return collected.events.at(-1)?.data?.resumableUploadProgress;
}
