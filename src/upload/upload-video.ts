/**
 * One `uploadVideo`: the client's file goes to MAVI as it arrives, and MAVI's
 * answer becomes the video's first record. Nothing reaches MAVI for a file that
 * is refused up front (empty, not a video), and a failed upload leaves no record
 * behind, here or at MAVI.
 *
 * Once the client has sent its whole request, the upload no longer depends on
 * the client: if it hangs up before MAVI answers, the gateway still waits for
 * MAVI's answer and records the video, so its callbacks are accepted and its
 * owner finds it. Until then, a client that goes away breaks the file stream,
 * which aborts the upstream request, and MAVI registers nothing.
 */
import { GraphQLError } from 'graphql';
import { gatewayError } from '../errors.js';
import { MaviError } from '../mavi/errors.js';
import type { GatewayServices } from '../services.js';
import type { MaviUploadedVideo } from '../mavi/types.js';
import type { VideoRecord } from '../status/status-store.js';
import { callbackUrl } from '../webhook/callback-token.js';
import { MultipartRequestError } from './multipart-errors.js';
import type { IncomingFile } from './multipart-intake.js';
import { FileSource } from './file-source.js';
import { SNIFF_BYTES, sniffContainer } from './sniff-container.js';

export interface UploadRequest {
  /** Which client is uploading (see status-store's VideoRecord.ownerId). */
  ownerId: string;
}

export async function uploadVideo(
  services: GatewayServices,
  upload: Promise<IncomingFile>,
  request: UploadRequest,
): Promise<VideoRecord> {
  const { store, mavi, tokens, events, logger } = services;
  // The file's part may never come (a malformed body, a map naming a missing file).
  const file = await upload.catch((error: unknown) => {
    throw asClientError(error);
  });
  const source = new FileSource(file.createReadStream(), services.config.maxUploadBytes, () => file.requestComplete());
  const fileName = file.filename || 'upload';

  const head = await source.peek(SNIFF_BYTES).catch((error: unknown) => {
    throw clientFacingError(error, source, file);
  });
  if (head.length === 0) {
    source.discard();
    throw gatewayError('EMPTY_FILE', `The file "${fileName}" is empty; nothing was sent to MAVI.`);
  }
  if (sniffContainer(head) === undefined) {
    source.discard();
    throw gatewayError(
      'UNSUPPORTED_MEDIA_TYPE',
      `The file "${fileName}" is not an MP4/MOV or Matroska/WebM video (whatever its declared type, ${file.mimetype}); nothing was sent to MAVI.`,
    );
  }

  // Some upstreams take no chunked bodies (whether MAVI does is not documented): with
  // MAVI_UPLOAD_CONTENT_LENGTH=on the file's size, from the client's Content-Length, is declared.
  let fileSize: number | undefined;
  if (services.config.maviUploadContentLength) {
    fileSize = file.declaredFileSize();
    if (fileSize === undefined || fileSize < head.length) {
      source.discard();
      throw gatewayError(
        'LENGTH_REQUIRED',
        'This gateway sends MAVI the file size up front: send the upload with a Content-Length header (curl and browsers do).',
      );
    }
    source.expectedBytes = fileSize;
  }

  const { uploadId, token } = tokens.mint();
  const base = services.callbackBaseUrl();
  await store.openUpload(uploadId, request.ownerId);
  let video: MaviUploadedVideo | undefined;
  try {
    video = await mavi.uploadVideo({
      file: source.chunks(),
      fileName,
      contentType: file.mimetype || 'application/octet-stream',
      fileSize,
      callbackUrl: base === undefined ? undefined : callbackUrl(base, token),
    });
    const completed = await store.completeUpload(uploadId, {
      videoNo: video.videoNo,
      videoName: video.videoName,
      status: video.videoStatus,
      uploadTime: Number(video.uploadTime),
      updatedAt: Date.now(),
      ownerId: request.ownerId,
    });
    if (completed.discardedVideoNo !== undefined) {
      logger.warn('dropped an early callback that named another video', {
        videoNo: video.videoNo,
        callbackVideoNo: completed.discardedVideoNo,
      });
    }
    if (completed.change) events.publish(completed.change);
    logger.info('video uploaded', { videoNo: video.videoNo, bytes: source.bytesRead });
    return completed.record;
  } catch (error) {
    await store.abandonUpload(uploadId).catch(() => undefined); // the store may be what failed
    // MAVI has the video but the gateway could not record it: nobody could follow or find it,
    // so take it back rather than leave it half-registered.
    if (video) await forgetAtMavi(services, video.videoNo);
    const failure = clientFacingError(error, source, file);
    if (source.failure instanceof MultipartRequestError && source.failure.clientGone) {
      logger.info('upload cut: the client went away mid-request', { bytes: source.bytesRead });
    } else if (error instanceof MaviError) {
      logger.warn('MAVI refused an upload', { code: error.code, ...error.context, cause: undefined });
    }
    throw failure;
  }
}

async function forgetAtMavi(services: GatewayServices, videoNo: string): Promise<void> {
  try {
    await services.mavi.deleteVideos([videoNo]);
    services.logger.warn('deleted a video at MAVI that the gateway could not record', { videoNo });
  } catch (error) {
    services.logger.error('a video is registered at MAVI but unknown to the gateway; delete it by hand', {
      videoNo,
      error,
    });
  }
}

/**
 * A failure on the client's side (too large, disconnected) explains an upstream
 * failure it caused, so it wins. MAVI's failures become their gateway codes;
 * anything else stays unexpected and is masked by Yoga.
 */
function clientFacingError(error: unknown, source: FileSource, file: IncomingFile): unknown {
  // The gateway's own refusal of the file (too large, wrong size) stands; a broken file
  // stream is explained by what broke the request.
  const cause = source.failure instanceof GraphQLError ? source.failure : (file.failure() ?? source.failure ?? error);
  return asClientError(cause);
}

function asClientError(cause: unknown): unknown {
  if (cause instanceof GraphQLError) return cause;
  if (cause instanceof MultipartRequestError) return gatewayError(cause.code, cause.message);
  if (cause instanceof MaviError) {
    const extensions =
      cause.code === 'MAVI_REJECTED' ? { maviCode: cause.context.maviCode, maviMessage: cause.context.maviMsg } : {};
    return gatewayError(cause.code, cause.message, { extensions });
  }
  return cause;
}
