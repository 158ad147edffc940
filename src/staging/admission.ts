/**
 * Whether a new resumable upload may be staged: its declared size, its name and metadata, the
 * owner's quotas, the owner's share of staging and the whole budget, and the free disk left
 * after it. Every bound is checked before a byte of the body is read; an admitted upload is
 * recorded (its place reserved) in the same step as the last check.
 */
import type { Upload } from '@tus/utils';
import type { StagingConfig } from '../config.js';
import { refusal, StoreUnavailableError, type Refusal } from '../errors.js';
import type { Owner } from '../identity.js';
import type { CostControl } from '../limits/cost-control.js';
import type { UploadMetadata } from '../mavi/api.js';
import { passthroughRefusal, videoNameRefusal } from '../upload/video-name.js';
import type { BrokenBound } from './staged-upload.js';
import type { StagingService } from './staging-service.js';

export interface AdmissionDeps {
  config: StagingConfig;
  /** The family's largest file (MAX_UPLOAD_BYTES, else MAVI's own limit). */
  maxUploadBytes: number;
  service: StagingService;
  quotas: Pick<CostControl, 'admitUpload'>;
  /** MAVI's refusal of upload metadata this family does not take, if it refuses it. */
  refuseMetadata(metadata: UploadMetadata): Refusal | undefined;
  /** Bytes free on the staging disk; undefined where that is not known (S3). */
  freeBytes(): Promise<number | undefined>;
}

/** Checks a new upload against every bound, then records it; the refusal when it does not fit. */
export async function admitUpload(deps: AdmissionDeps, upload: Upload, owner: Owner): Promise<Refusal | undefined> {
  const { config, maxUploadBytes } = deps;
  if (upload.sizeIsDeferred || upload.size === undefined) {
    return refusal('LENGTH_REQUIRED', 'Send Upload-Length: resumable uploads must declare their size up front.');
  }
  const size = upload.size;
  if (size > maxUploadBytes) {
    return refusal('UPLOAD_TOO_LARGE', `The file is ${size} bytes; the upload limit is ${maxUploadBytes} bytes.`);
  }
  if (size === 0) return refusal('EMPTY_FILE', 'The file is empty (Upload-Length: 0); nothing was staged.');
  const described = describeUpload(upload.metadata ?? {});
  if ('code' in described) return described;
  const metadataRefusal = described.maviMetadata && deps.refuseMetadata(described.maviMetadata);
  if (metadataRefusal) return metadataRefusal;

  const free = await deps.freeBytes();
  if (free !== undefined && free - size < config.minFreeBytes) {
    return refusal(
      'STAGING_FULL',
      `The staging disk would keep less than STAGING_MIN_FREE_BYTES free after this upload (${size} bytes); retry later.`,
    );
  }
  try {
    const quota = await deps.quotas.admitUpload(owner.ownerId, size);
    if (quota) return quota;
    const now = Date.now();
    const broken = await deps.service.admit(
      {
        id: upload.id,
        ...owner,
        fileName: described.fileName,
        fileType: described.fileType,
        maviMetadata: described.maviMetadata && JSON.stringify(described.maviMetadata),
        passthrough: described.passthrough,
        length: size,
        state: 'RECEIVING',
        bytesForwarded: 0,
        attempts: 0,
        errorCode: undefined,
        errorMessage: undefined,
        videoNo: undefined,
        createdAt: now,
        expiresAt: receivingExpiry(now, now, config),
        dueAt: 0,
      },
      config,
    );
    return broken === undefined ? undefined : boundRefusal(broken, config);
  } catch (error) {
    if (error instanceof StoreUnavailableError) return refusal('STORE_UNAVAILABLE');
    throw error;
  }
}

/**
 * When a RECEIVING upload expires: STAGING_IDLE_EXPIRY_MS after its last byte (or its creation),
 * and never later than STAGED_UPLOAD_EXPIRY_MS after its creation. A reservation nobody uses
 * gives its place in the bounds back.
 */
export function receivingExpiry(
  createdAt: number,
  activeAt: number,
  config: Pick<StagingConfig, 'expiryMs' | 'idleExpiryMs'>,
): number {
  return Math.min(createdAt + config.expiryMs, activeAt + config.idleExpiryMs);
}

/** What the client said of its file, from Upload-Metadata, or the refusal of it. */
export function describeUpload(
  metadata: Record<string, string | null>,
):
  | { fileName: string; fileType: string; maviMetadata: UploadMetadata | undefined; passthrough: string | undefined }
  | Refusal {
  const text = (key: string) => metadata[key] ?? undefined;
  const fileName = text('filename') ?? text('name') ?? 'upload';
  const passthrough = text('passthrough');
  const badName = videoNameRefusal(fileName) ?? passthroughRefusal(passthrough);
  if (badName) return badName;
  const fileType = text('filetype') ?? text('type') ?? 'application/octet-stream';
  const maviMetadata: UploadMetadata = {};
  const tags = text('tags');
  if (tags !== undefined)
    maviMetadata.tags = tags
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean);
  const capturedAt = text('capturedAt');
  if (capturedAt !== undefined) {
    const date = new Date(capturedAt);
    if (Number.isNaN(date.getTime())) return refusal('INVALID_INPUT', 'capturedAt must be an ISO-8601 date-time.');
    maviMetadata.capturedAt = date;
  }
  const cameraModel = text('cameraModel');
  if (cameraModel !== undefined) maviMetadata.cameraModel = cameraModel;
  const transcriptionPrompt = text('transcriptionPrompt');
  if (transcriptionPrompt !== undefined) maviMetadata.transcriptionPrompt = transcriptionPrompt;
  const [latitude, longitude] = [text('latitude'), text('longitude')];
  if (latitude !== undefined || longitude !== undefined) {
    const location = { latitude: Number(latitude), longitude: Number(longitude) };
    if (!Number.isFinite(location.latitude) || !Number.isFinite(location.longitude)) {
      return refusal('INVALID_INPUT', 'latitude and longitude come together, as numbers.');
    }
    maviMetadata.location = location;
  }
  return {
    fileName,
    fileType,
    maviMetadata: Object.keys(maviMetadata).length > 0 ? maviMetadata : undefined,
    passthrough,
  };
}

function boundRefusal(broken: BrokenBound, config: StagingConfig): Refusal {
  switch (broken) {
    case 'uploads-per-owner':
      return refusal(
        'TOO_MANY_STAGED_UPLOADS',
        `At most ${config.maxUploadsPerOwner} resumable uploads may be staged per owner (STAGING_MAX_UPLOADS_PER_OWNER); finish or delete one first.`,
      );
    case 'bytes-per-owner':
      return refusal(
        'STAGING_QUOTA_EXCEEDED',
        `Your staged uploads may hold at most ${config.maxBytesPerOwner} bytes together (STAGING_MAX_BYTES_PER_OWNER); finish or delete one first.`,
      );
    case 'bytes':
      return refusal('STAGING_FULL', "The gateway's staging budget (STAGING_MAX_BYTES) is spent; retry later.");
  }
}
