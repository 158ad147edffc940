/**
 * The web app's uploads: resumable, with tus-js-client at /uploads, as the
 * README's recipe tells app teams. A connection cut mid-upload continues on its
 * own (tus-js-client asks the gateway's offset, then sends the rest), an upload
 * can be paused and resumed, and after a page reload the same file picked again
 * resumes where it stopped: tus-js-client keeps each unfinished upload's URL in
 * localStorage under the file's fingerprint (name, type, size, modification
 * time), and forgets it once the upload is done.
 */
import * as tus from 'tus-js-client';
import { GatewayError } from './gateway-client.js';

const UPLOADS_PATH = '/uploads';

export interface ResumableUploadHandlers {
  /** The share of the file the gateway has staged (0 to 1). */
  onProgress(share: number): void;
  /** Every byte is staged: the gateway now sends the file to MAVI. */
  onStaged(uploadId: string): void;
  onError(error: GatewayError): void;
  /** The upload continues one that an earlier page left unfinished (the same file, picked again). */
  onResumed(): void;
}

export interface ResumableUpload {
  pause(): void;
  resume(): void;
  /** Stops the upload for good: the gateway removes what it has received (tus termination). */
  cancel(): Promise<void>;
}

export function startResumableUpload(
  file: File,
  /** The credential's headers, read for every request: a signed-in user's token is refreshed. */
  headers: () => Record<string, string>,
  handlers: ResumableUploadHandlers,
): ResumableUpload {
  const upload: tus.Upload = new tus.Upload(file, {
    endpoint: new URL(UPLOADS_PATH, location.href).href,
    metadata: { filename: file.name, filetype: file.type || 'application/octet-stream' },
    // After a cut: ask the offset and go on, again and again while bytes keep arriving.
    retryDelays: [0, 1_000, 3_000, 5_000, 10_000, 20_000],
    removeFingerprintOnSuccess: true,
    onBeforeRequest: (request) => {
      for (const [name, value] of Object.entries(headers())) request.setHeader(name, value);
    },
    onProgress: (sent, total) => handlers.onProgress(total > 0 ? sent / total : 1),
    onSuccess: () => handlers.onStaged(uploadIdOf(upload.url)),
    onError: (error) => handlers.onError(gatewayErrorOf(error)),
  });
  void upload.findPreviousUploads().then(
    (previous) => {
      const last = previous.sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
      if (last) {
        upload.resumeFromPreviousUpload(last);
        handlers.onResumed();
      }
      upload.start();
    },
    () => upload.start(),
  );
  return {
    pause: () => void upload.abort(),
    resume: () => upload.start(),
    cancel: () => upload.abort(true).catch((error: unknown) => Promise.reject(gatewayErrorOf(error as Error))),
  };
}

function uploadIdOf(url: string | null): string {
  return url?.split('/').pop() ?? '';
}

/** The gateway's refusal (`{ error: { code, message } }`), or a network failure. */
function gatewayErrorOf(error: Error): GatewayError {
  const response = (error as tus.DetailedError).originalResponse;
  if (!response || response.getStatus() === 0) {
    return new GatewayError('The upload could not reach the gateway.', 'NETWORK_ERROR');
  }
  try {
    const { error: refused } = JSON.parse(response.getBody()) as { error: { code: string; message: string } };
    const retryAfter = Number(response.getHeader('retry-after'));
    return new GatewayError(
      refused.message,
      refused.code,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    );
  } catch {
    return new GatewayError(`The gateway answered HTTP ${response.getStatus()}.`, `HTTP_${response.getStatus()}`);
  }
}
