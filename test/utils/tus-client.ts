/** tus-js-client in Node, as an app's client uses it: one upload as a promise, with its URL and progress. */
import * as tus from 'tus-js-client';

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
