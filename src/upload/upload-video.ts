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
import type { Owner } from '../identity.js';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { GraphQLError } from 'graphql';
import type { CallbackTokens } from '../auth/callback-tokens.js';
import { gatewayError, refusalError, type Refusal } from '../errors.js';
import type { Logger } from '../logger.js';
import type { CostControl } from '../limits/cost-control.js';
import type { MaviApi, UploadMetadata } from '../mavi/api.js';
import { outcomeOf, type GatewayMetrics } from '../metrics/metrics.js';
import { SNIFF_BYTES, sniffContainer } from '../mavi/containers.js';
import { MaviError } from '../mavi/errors.js';
import type { MaviUploadedVideo } from '../mavi/types.js';
import type { StatusService } from '../status/status-service.js';
import type { VideoRecord } from '../status/status-store.js';
import { FileSource } from './file-source.js';
import { InFlight } from './in-flight.js';
import { MultipartRequestError } from './multipart-errors.js';
import type { IncomingFile } from './multipart-intake.js';
import type { HostResolver } from '../net/public-url.js';
import { checkVideoUrl } from './video-url.js';
import { passthroughRefusal, videoNameRefusal } from './video-name.js';

export interface UploadDeps {
  mavi: MaviApi;
  status: StatusService;
  tokens: CallbackTokens;
  logger: Logger;
  maxUploadBytes: number;
  /** Send MAVI the file's size up front (MAVI_UPLOAD_CONTENT_LENGTH), from the client's Content-Length. */
  declareFileSize: boolean;
  /** Where MAVI should call back for the upload with this token; undefined when it cannot reach us. */
  callbackUrlFor(token: string): string | undefined;
  /** Resolves a URL's host name to its addresses (the DNS; tests may answer for names they invent). */
  resolveHost?: HostResolver;
  metrics: Pick<GatewayMetrics, 'uploads' | 'uploadBytes' | 'uploadDuration'>;
  /** The client's bytes-a-day quota counts what each upload sent. */
  quotas: Pick<CostControl, 'recordUploadBytes'>;
}

/** The uploads of one gateway: each one tracked until it ends, so that shutdown can wait for them. */
/** Who uploads, and the app's own text for the video (never sent to MAVI). */
export interface Uploader extends Owner {
  passthrough?: string;
}

export class Uploads {
  readonly inFlight = new InFlight();

  constructor(private readonly deps: UploadDeps) {}

  /** Uploads the request's file for `owner`, into its partition at MAVI. */
  upload(file: Promise<IncomingFile>, owner: Uploader, metadata?: UploadMetadata): Promise<VideoRecord> {
    return this.measured('file', uploadVideo(this.deps, file, owner, metadata));
  }

  /**
   * Sends a finished resumable upload's staged file to MAVI: the same checks,
   * tokens, tracking and ownership as a streamed upload, with its exact size.
   */
  forwardStaged(file: StagedFile, owner: Uploader, metadata?: UploadMetadata): Promise<VideoRecord> {
    return this.measured('staged', forwardStagedFile(this.deps, file, owner, metadata));
  }

  /**
   * Has MAVI fetch a video from `url` for `owner`: the same tokens, tracking and
   * ownership as a file upload. Addresses inside a private network are refused
   * before MAVI is called (see video-url.ts).
   */
  uploadFromUrl(url: string, owner: Uploader, metadata?: UploadMetadata): Promise<VideoRecord> {
    return this.measured(
      'url',
      (async () => {
        const checked = await checkVideoUrl(url, this.deps.resolveHost);
        const videoName = lastSegment(checked) || checked.hostname;
        const badName = passthroughRefusal(owner.passthrough) ?? videoNameRefusal(videoName);
        if (badName) throw refusalError(badName);
        return registerAtMavi(this.deps, owner, videoName, metadata, (callbackUrl) =>
          this.deps.mavi.uploadVideoFromUrl({
            url: checked.href,
            callbackUrl,
            partition: owner.partition,
            metadata,
          }),
        );
      })(),
    );
  }

  /** Tracks an upload until it ends (for shutdown) and counts it by outcome, with its duration. */
  private measured(kind: 'file' | 'url' | 'staged', upload: Promise<VideoRecord>): Promise<VideoRecord> {
    const { metrics } = this.deps;
    const started = performance.now();
    const count = (outcome: string) => {
      metrics.uploads.inc({ kind, outcome });
      metrics.uploadDuration.observe({ kind, outcome }, (performance.now() - started) / 1000);
    };
    upload.then(
      () => count('ok'),
      (error: unknown) => count(outcomeOf(error)),
    );
    return this.inFlight.track(upload);
  }
}

async function uploadVideo(
  deps: UploadDeps,
  upload: Promise<IncomingFile>,
  owner: Uploader,
  metadata: UploadMetadata | undefined,
): Promise<VideoRecord> {
  const { logger } = deps;
  // The file's part may never come (a malformed body, a map naming a missing file).
  const file = await upload.catch((error: unknown) => {
    throw asClientError(error);
  });
  const fileName = file.filename || 'upload';
  const badName = videoNameRefusal(fileName) ?? passthroughRefusal(owner.passthrough);
  if (badName) {
    file.createReadStream().destroy();
    throw refusalError(badName);
  }

  // Some upstreams take no chunked bodies (whether MAVI does is not documented): with
  // MAVI_UPLOAD_CONTENT_LENGTH=on the file's size, from the client's Content-Length, is declared.
  const fileSize = deps.declareFileSize ? file.declaredFileSize() : undefined;
  if (deps.declareFileSize && fileSize === undefined) {
    file.createReadStream().destroy();
    throw gatewayError(
      'LENGTH_REQUIRED',
      'This gateway sends MAVI the file size up front: send the upload with a Content-Length header (curl and browsers do).',
    );
  }
  const source = new FileSource(file.createReadStream(), {
    maxBytes: deps.maxUploadBytes,
    expectedBytes: fileSize,
    verifyEnd: () => file.requestComplete(),
  });

  return sendFile(deps, source, { fileName, mimetype: file.mimetype, fileSize }, owner, metadata, (error) => {
    if (file.failure()?.clientGone) {
      logger.info('upload cut: the client went away mid-request', { bytes: source.bytesRead });
    }
    return clientFacingError(error, source, file);
  });
}

/** Lets a request's file go unread: refused before it is read, none of its bytes are taken (nor reach MAVI). */
export function discardUnread(file: Promise<IncomingFile> | undefined): void {
  void file?.then((incoming) => incoming.createReadStream().destroy()).catch(() => undefined);
}

/** A staged file (a finished resumable upload): its bytes, whole, and what its client said of it. */
export interface StagedFile {
  stream: Readable;
  fileName: string;
  mimetype: string;
  /** Exactly the stream's length: MAVI is told it up front (Content-Length). */
  size: number;
}

async function forwardStagedFile(
  deps: UploadDeps,
  file: StagedFile,
  owner: Uploader,
  metadata: UploadMetadata | undefined,
): Promise<VideoRecord> {
  const source = new FileSource(file.stream, { maxBytes: deps.maxUploadBytes, expectedBytes: file.size });
  return sendFile(deps, source, { ...file, fileSize: file.size }, owner, metadata, (error) =>
    asClientError(source.failure instanceof GraphQLError ? source.failure : error),
  );
}

/**
 * Checks a file by its first bytes (empty, not a video, a container this MAVI
 * refuses) before anything is sent, then streams it to MAVI and records the
 * video. `explain` turns a failure while sending into what the caller reports.
 */
async function sendFile(
  deps: UploadDeps,
  source: FileSource,
  file: { fileName: string; mimetype: string; fileSize: number | undefined },
  owner: Uploader,
  metadata: UploadMetadata | undefined,
  explain: (error: unknown) => unknown,
): Promise<VideoRecord> {
  const { mavi } = deps;
  const { fileName, fileSize } = file;
  const metadataRefusal = metadata === undefined ? undefined : mavi.refuseMetadata(metadata);
  if (metadataRefusal !== undefined) {
    source.discard();
    throw nothingSent(metadataRefusal);
  }

  const head = await source.peek(SNIFF_BYTES).catch((error: unknown) => {
    throw explain(error);
  });
  if (head.length === 0) {
    source.discard();
    throw gatewayError('EMPTY_FILE', `The file "${fileName}" is empty; nothing was sent to MAVI.`);
  }
  const container = sniffContainer(head);
  if (container === undefined) {
    source.discard();
    throw gatewayError(
      'UNSUPPORTED_MEDIA_TYPE',
      `The file "${fileName}" is not an MP4/MOV, AVI or Matroska/WebM video (whatever its declared type, ${file.mimetype}); nothing was sent to MAVI.`,
    );
  }
  const fileRefusal = mavi.refuseFile(fileName, container);
  if (fileRefusal !== undefined) {
    source.discard();
    throw nothingSent(fileRefusal);
  }
  return registerAtMavi(
    deps,
    owner,
    fileName,
    metadata,
    async (callbackUrl) => {
      try {
        return await mavi.uploadVideo({
          file: source.body(),
          fileName,
          container,
          declaredContentType: file.mimetype,
          fileSize,
          callbackUrl,
          partition: owner.partition,
          metadata,
        });
      } catch (error) {
        throw explain(error);
      }
    },
    () => source.bytesRead,
  );
}

/**
 * Registers a video at MAVI through `send` and records it: the upload is opened
 * in the store first (so an early callback has somewhere to wait), MAVI's answer
 * completes it. When recording fails after MAVI registered the video, the video
 * is deleted at MAVI again: nothing stays half-registered.
 */
async function registerAtMavi(
  deps: UploadDeps,
  owner: Uploader,
  videoName: string,
  metadata: UploadMetadata | undefined,
  send: (callbackUrl: string | undefined) => Promise<MaviUploadedVideo>,
  bytesSent: () => number | undefined = () => undefined,
): Promise<VideoRecord> {
  const { status, tokens, logger, mavi } = deps;
  const { ownerId, partition } = owner;
  const metadataRefusal = metadata === undefined ? undefined : mavi.refuseMetadata(metadata);
  if (metadataRefusal !== undefined) throw nothingSent(metadataRefusal);

  const { uploadId, token } = tokens.mint();
  await status.openUpload(uploadId, owner, videoName, owner.passthrough);
  let video: MaviUploadedVideo | undefined;
  try {
    video = await send(deps.callbackUrlFor(token));
    const completed = await status.completeUpload(uploadId, {
      videoNo: video.videoNo,
      // The name the client gave (its file's, or its URL's last segment), on every family: the
      // successor answers an internal stored name instead (docs/mavi-families.md).
      videoName,
      status: video.videoStatus,
      uploadTime: video.uploadTime,
      updatedAt: Date.now(),
      ownerId,
      partition,
      names: owner.names,
      passthrough: owner.passthrough,
    });
    if (completed.discardedVideoNo !== undefined) {
      logger.warn('dropped an early callback that named another video', {
        videoNo: video.videoNo,
        callbackVideoNo: completed.discardedVideoNo,
      });
    }
    logger.info('video uploaded', { videoNo: video.videoNo, bytes: bytesSent(), client: partition });
    deps.metrics.uploadBytes.inc(bytesSent() ?? 0);
    await deps.quotas.recordUploadBytes(ownerId, bytesSent() ?? 0).catch((error: unknown) => {
      logger.warn('could not count an upload against its quota', { error });
    });
    return completed.record;
  } catch (error) {
    await status.abandonUpload(uploadId).catch(() => undefined); // the store may be what failed
    // MAVI has the video but the gateway could not record it: nobody could follow or find it,
    // so take it back rather than leave it half-registered.
    if (video) await forgetAtMavi(deps, video.videoNo, partition);
    throw asClientError(error);
  }
}

async function forgetAtMavi(deps: UploadDeps, videoNo: string, partition: string): Promise<void> {
  try {
    await deps.mavi.deleteVideos([videoNo], partition);
    deps.logger.warn('deleted a video at MAVI that the gateway could not record', { videoNo });
  } catch (error) {
    deps.logger.error('a video is registered at MAVI but unknown to the gateway; delete it by hand', {
      videoNo,
      error,
    });
  }
}

/**
 * A failure on the client's side (too large, malformed, disconnected) explains an
 * upstream failure it caused, so it wins: the gateway's own refusal of the file
 * (too large, wrong size) as it stands, a broken file stream as what broke the
 * request. MAVI's failures become their gateway codes; anything else stays
 * unexpected and is masked by Yoga.
 */
function clientFacingError(error: unknown, source: FileSource, file: IncomingFile): unknown {
  const cause = source.failure instanceof GraphQLError ? source.failure : (file.failure() ?? source.failure ?? error);
  return asClientError(cause);
}

/** A failure as the client is told it: the gateway's refusals and MAVI's as their codes; anything else stays unexpected (masked). */
export function asClientError(cause: unknown): unknown {
  if (cause instanceof GraphQLError) return cause;
  if (cause instanceof MultipartRequestError) return gatewayError(cause.code, cause.message);
  if (cause instanceof MaviError) return cause.toGatewayError();
  return cause;
}

/** MAVI's refusal of what a client sent, found before anything went to MAVI: the client is told so. */
function nothingSent(refused: Refusal): GraphQLError {
  return refusalError({ ...refused, message: `${refused.message} Nothing was sent to MAVI.` });
}

/** A URL's last path segment, decoded; as written when it is not valid percent-encoding. */
function lastSegment(url: URL): string {
  const segment = url.pathname.split('/').pop() ?? '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
