/**
 * Resumable uploads: the tus 1.0 endpoint at /uploads (@tus/server), for
 * clients on links that drop. The bytes are staged (staging-store.ts) as they
 * arrive; once the last one is, a forwarding job (forwarding.ts) sends the file
 * to MAVI in one clean upload. Clients follow an upload by its tus id
 * (`resumableUpload`, `resumableUploadProgress`).
 *
 * Who may do what is decided before tus sees a request:
 *  - the caller is identified by the edge, exactly as for GraphQL;
 *  - an upload's URL (HEAD, PATCH, DELETE) is its owner's alone: anyone else,
 *    and anyone naming an unknown id, gets 404;
 *  - a new upload (POST) must fit the bounds, each checked before its body is
 *    read: the family's file size, the owner's quotas (UPLOADS_PER_HOUR,
 *    UPLOAD_BYTES_PER_DAY), the owner's staged uploads and bytes, the staging
 *    budget, and the free disk left after it.
 * Downloads (tus GET) are not offered.
 */
import type { Owner } from '../identity.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EVENTS, type Upload } from '@tus/utils';
import { Server, type ServerOptions } from '@tus/server';
import type { StagingConfig } from '../config.js';
import {
  httpStatusOf,
  routeRefusalBody,
  refusal,
  refusalHeaders,
  StoreUnavailableError,
  type Refusal,
} from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../logger.js';
import type { CostControl } from '../limits/cost-control.js';
import type { UploadMetadata } from '../mavi/api.js';
import { videoNameRefusal } from '../upload/video-name.js';
import { Forwarding } from './forwarding.js';
import { progressFeed, type ProgressEvent, type ProgressFeed, type UploadProgress } from './progress-feed.js';
import { type BrokenBound, type StagedUpload, type StagingLedger } from './staged-upload.js';
import type { StagingStore } from './staging-store.js';

/** Uploads looked at per sweep (expired ones; finished ones a crash left RECEIVING). */
const SWEEP_BATCH = 100;

export interface ResumableUploadsDeps {
  config: StagingConfig;
  /** The family's largest file (MAX_UPLOAD_BYTES, else MAVI's own limit). */
  maxUploadBytes: number;
  ledger: StagingLedger;
  staging: Promise<StagingStore>;
  events: EventBus<ProgressEvent>;
  quotas: Pick<CostControl, 'admitUpload'>;
  /** MAVI's refusal of upload metadata this family does not take, if it refuses it. */
  refuseMetadata(metadata: UploadMetadata): Refusal | undefined;
  /** Starts the forwarding job's workers, given the store. */
  forwarding: (staging: StagingStore) => Forwarding;
  /** The route the endpoint is served at (/uploads). */
  path: string;
  /** CORS_ORIGINS, for tus's own CORS answers. */
  corsOrigins: '*' | readonly string[];
  logger: Logger;
}

/** What the tus hooks need of the request the edge admitted: its owner, and whether its upload was created. */
interface Admitted {
  owner: Owner;
  /** The id a POST's upload was admitted under, until the store has created it. */
  reserved: string | undefined;
  created: boolean;
}

export class ResumableUploads {
  private readonly admitted = new WeakMap<IncomingMessage, Admitted>();
  private readonly server: Promise<{ tus: Server; staging: StagingStore; forwarding: Forwarding }>;
  private sweeper: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly deps: ResumableUploadsDeps) {
    this.server = deps.staging.then((staging) => ({
      tus: this.createServer(staging),
      staging,
      forwarding: deps.forwarding(staging),
    }));
    this.server.catch(() => undefined); // reported by start()
  }

  /** Opens staging, starts the forwarding workers and the sweep (expiry, and recovery after a crash). */
  async start(): Promise<string> {
    const { forwarding, staging } = await this.server;
    forwarding.start();
    const { expiryMs, idleExpiryMs } = this.deps.config;
    const everyMs = Math.min(60_000, Math.max(250, Math.floor(Math.min(expiryMs, idleExpiryMs) / 4)));
    const sweep = (recover: boolean) => {
      this.sweep(recover).catch((error: unknown) =>
        this.deps.logger.warn('the staging sweep failed; it runs again', { error }),
      );
    };
    sweep(true);
    this.sweeper = setInterval(() => sweep(false), everyMs);
    this.sweeper.unref();
    return staging.description;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweeper);
    const started = await this.server.catch(() => undefined);
    await started?.forwarding.stop();
  }

  /**
   * Why a request to /uploads or /uploads/<id> from `owner` (whom the edge
   * identified) is refused before anything of it is read; undefined when it may
   * go on to `serve`.
   */
  async refusalOf(req: IncomingMessage, owner: Owner): Promise<Refusal | undefined> {
    await this.server;
    const id = this.idOf(req);
    if (req.method === 'GET') return refusal('UPLOAD_NOT_FOUND', 'Uploads cannot be downloaded here.');
    if (id !== undefined) {
      const upload = await this.deps.ledger.get(id);
      // Unknown, or someone else's: the same answer, so that ids cannot be probed.
      if (upload === undefined || upload.ownerId !== owner.ownerId) return refusal('UPLOAD_NOT_FOUND');
      // Gone for good, and said so while its record is kept (tus: 410 Gone).
      if (upload.state === 'FAILED' && upload.errorCode === 'UPLOAD_EXPIRED') return refusal('UPLOAD_EXPIRED');
      return undefined;
    }
    if (req.method !== 'POST') return refusal('UPLOAD_NOT_FOUND', 'Name an upload: /uploads/<id>.');
    if (this.stopped) return refusal('SHUTTING_DOWN');
    return undefined;
  }

  /** Serves a request `refusalOf` let through: tus reads it, and the hooks check a new upload's bounds. */
  async serve(req: IncomingMessage, res: ServerResponse, owner: Owner): Promise<void> {
    const { tus } = await this.server;
    this.admitted.set(req, { owner, reserved: undefined, created: false });
    const id = this.idOf(req);
    if (req.method === 'PATCH' && id !== undefined) await this.active(id);
    await tus.handle(req, res);
  }

  /** CORS preflights need no caller. */
  async preflight(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { tus } = await this.server;
    await tus.handle(req, res);
  }

  /** An upload's state for `owner`: undefined when unknown or someone else's. */
  async progress(id: string, owner: Pick<Owner, 'ownerId'>): Promise<UploadProgress | undefined> {
    const upload = await this.deps.ledger.get(id);
    if (upload === undefined || upload.ownerId !== owner.ownerId) return undefined;
    return { ...upload, offset: await this.stagedOffset(upload) };
  }

  /** The upload's state now, then each change, until REGISTERED or FAILED; undefined when unknown or not the owner's. */
  async follow(id: string, owner: Pick<Owner, 'ownerId'>): Promise<ProgressFeed | undefined> {
    const changes = this.deps.events.subscribe(id);
    try {
      await changes.ready;
      const current = await this.progress(id, owner);
      if (current === undefined) {
        await changes.return();
        return undefined;
      }
      return progressFeed(current, changes);
    } catch (error) {
      await changes.return();
      throw error;
    }
  }

  private async stagedOffset(upload: StagedUpload): Promise<number> {
    if (upload.state !== 'RECEIVING') return upload.length;
    const { staging } = await this.server;
    return (await staging.store.getUpload(upload.id).catch(() => undefined))?.offset ?? 0;
  }

  /** The id the request names, as written (`/uploads/.` names ".", not the collection). */
  private idOf(req: IncomingMessage): string | undefined {
    const pathname = (req.url ?? '/').split('?')[0]!;
    const rest = pathname.slice(this.deps.path.length + 1);
    return rest === '' ? undefined : rest;
  }

  private createServer(staging: StagingStore): Server {
    const { config, logger, path, corsOrigins } = this.deps;
    const options: ServerOptions & { datastore: typeof staging.store } = {
      path,
      datastore: staging.store,
      locker: staging.locker,
      // `/uploads/<id>`: resolved against the address the client used, whatever proxy is in front.
      relativeLocation: true,
      respectForwardedHeaders: false,
      allowedOrigins: corsOrigins === '*' ? undefined : [...corsOrigins],
      allowedHeaders: ['x-request-id'],
      exposedHeaders: ['retry-after', 'x-request-id'],
      postReceiveInterval: 500,
      // Announced as Tus-Max-Size, and enforced (before onUploadCreate's own bounds).
      maxSize: this.deps.maxUploadBytes,
      // A finished upload is the forwarding job's: the client cannot take it back mid-way.
      disableTerminationForFinishedUploads: true,
      onUploadCreate: async (req, upload) => {
        const admitted = this.admittedOf(req);
        const refused = await this.admit(upload, admitted.owner);
        if (refused !== undefined) throw tusRefusal(refused, req);
        admitted.reserved = upload.id;
        return {};
      },
      onUploadFinish: async (req, upload) => {
        await this.finished(upload.id);
        return {};
      },
      onResponseError: (req, error) => {
        const admitted = this.admittedOf(req, false);
        // Admitted, but the store never created it: give its place in the bounds back.
        if (admitted?.reserved !== undefined && !admitted.created) {
          void this.deps.ledger.remove(admitted.reserved).catch(() => undefined);
        }
        if (error instanceof StoreUnavailableError) return tusRefusal(refusal('STORE_UNAVAILABLE'), req);
        // What was written before the disk filled is synced and kept: the client resumes from it later.
        if (isDiskFull(error)) {
          logger.warn('the staging disk is full; a resumable upload request was refused', { error });
          return tusRefusal(
            refusal(
              'STAGING_FULL',
              'The staging disk is full; what arrived is kept: resume later (HEAD names the offset).',
            ),
            req,
          );
        }
        if ('status_code' in error && error.status_code === 413) {
          return tusRefusal(refusal('UPLOAD_TOO_LARGE', `The upload limit is ${this.deps.maxUploadBytes} bytes.`), req);
        }
        if ('status_code' in error && error.status_code === 404) return tusRefusal(refusal('UPLOAD_NOT_FOUND'), req);
        if (!('status_code' in error)) {
          logger.error('a resumable upload request failed', { error });
          return tusRefusal(refusal('INTERNAL_SERVER_ERROR'), req);
        }
        return undefined;
      },
    };
    // Advertise only what is served: a deferred length is refused (LENGTH_REQUIRED), so a client
    // that picks its features from Tus-Extension must not be offered it.
    staging.store.extensions = staging.store.extensions.filter((extension) => extension !== 'creation-defer-length');
    const tus = new Server(options);
    tus.on(EVENTS.POST_CREATE, (req: Request) => {
      const admitted = this.admittedOf(req, false);
      if (admitted) admitted.created = true;
    });
    tus.on(EVENTS.POST_RECEIVE, (_req: Request, upload: Upload) => {
      void this.received(upload.id, upload.offset);
    });
    tus.on(EVENTS.POST_TERMINATE, (_req: Request, _res: Response, id: string) => {
      void this.deps.ledger.remove(id).then(
        () => this.deps.events.publish(id, { id, removed: true }),
        (error: unknown) => logger.warn('could not forget a terminated upload', { error }),
      );
    });
    logger.debug('resumable uploads staged in', { where: staging.description, expiryMs: config.expiryMs });
    return tus;
  }

  /** Checks a new upload against every bound, then records it; the refusal when it does not fit. */
  private async admit(upload: Upload, owner: Owner): Promise<Refusal | undefined> {
    const { config, maxUploadBytes, ledger, quotas } = this.deps;
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
    const metadataRefusal = described.maviMetadata && this.deps.refuseMetadata(described.maviMetadata);
    if (metadataRefusal) return metadataRefusal;

    const { staging } = await this.server;
    const free = await staging.freeBytes();
    if (free !== undefined && free - size < config.minFreeBytes) {
      return refusal(
        'STAGING_FULL',
        `The staging disk would keep less than STAGING_MIN_FREE_BYTES free after this upload (${size} bytes); retry later.`,
      );
    }
    try {
      const quota = await quotas.admitUpload(owner.ownerId, size);
      if (quota) return quota;
      const now = Date.now();
      const broken = await ledger.admit(
        {
          id: upload.id,
          ...owner,
          fileName: described.fileName,
          fileType: described.fileType,
          maviMetadata: described.maviMetadata && JSON.stringify(described.maviMetadata),
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

  /** The last byte is staged: the forwarding job is queued (durably, before the client hears so). */
  private async finished(id: string): Promise<void> {
    const upload = await this.deps.ledger.get(id);
    if (upload?.state !== 'RECEIVING') return;
    const queued: StagedUpload = {
      ...upload,
      state: 'FORWARDING',
      dueAt: Date.now(),
      // Retried until then (MAVI busy or away): as long again as an unfinished upload may wait.
      expiresAt: Date.now() + this.deps.config.expiryMs,
    };
    await this.deps.ledger.put(queued);
    this.deps.events.publish(id, { ...queued, offset: queued.length });
    (await this.server).forwarding.wake();
  }

  /** Bytes arrived: the upload's followers hear the offset (and its idle expiry moves on). */
  private async received(id: string, offset: number): Promise<void> {
    const upload = await this.active(id);
    if (upload) this.deps.events.publish(id, { ...upload, offset });
  }

  /**
   * The upload is in use (a PATCH began, or bytes arrived): its idle expiry moves on. tus reports
   * bytes only every 500 ms of a PATCH, so a short PATCH counts from its start.
   */
  private async active(id: string): Promise<StagedUpload | undefined> {
    return this.deps.ledger
      .update(id, 'RECEIVING', (current) => ({
        ...current,
        expiresAt: receivingExpiry(current.createdAt, Date.now(), this.deps.config),
      }))
      .catch((error: unknown) => {
        this.deps.logger.warn("could not record a resumable upload's activity", { error });
        return undefined;
      });
  }

  /**
   * Expires unfinished uploads (their bytes go, their state turns FAILED with
   * UPLOAD_EXPIRED) and forgets finished records whose time has come. An upload
   * whose last byte was staged just before a crash (so the ledger never heard)
   * is queued instead: all of them once at start (`recover`), and any one found
   * at its expiry, so that the staging store is not asked about every upload on
   * every round.
   */
  private async sweep(recover: boolean): Promise<void> {
    const { ledger, logger } = this.deps;
    const { staging } = await this.server;
    const now = Date.now();
    const fullyStaged = async (upload: StagedUpload) =>
      (await staging.store.getUpload(upload.id).catch(() => undefined))?.offset === upload.length;
    if (recover) {
      for (const upload of await ledger.receiving(SWEEP_BATCH)) {
        if (await fullyStaged(upload)) await this.finished(upload.id);
      }
    }
    for (const upload of await ledger.expired(now, SWEEP_BATCH)) {
      if (await fullyStaged(upload)) {
        await this.finished(upload.id);
        continue;
      }
      await staging.store.remove(upload.id).catch(() => undefined); // never written, or already gone
      const expired: StagedUpload = {
        ...upload,
        state: 'FAILED',
        errorCode: 'UPLOAD_EXPIRED',
        errorMessage: `The upload received no byte for ${this.deps.config.idleExpiryMs} ms, or was not finished within ${this.deps.config.expiryMs} ms; its bytes were removed.`,
        expiresAt: now + this.deps.config.expiryMs,
      };
      await ledger.put(expired);
      this.deps.events.publish(upload.id, { ...expired, offset: 0 });
      logger.info('a resumable upload expired unfinished; its bytes were removed', { bytes: upload.length });
    }
    await ledger.forgetFinished(now);
  }

  private admittedOf(req: Request, required?: true): Admitted;
  private admittedOf(req: Request, required: false): Admitted | undefined;
  private admittedOf(req: Request, required = true): Admitted | undefined {
    const node = nodeOf(req);
    const admitted = node && this.admitted.get(node.req);
    if (!admitted && required) throw new Error('a tus request reached a hook without passing the edge');
    return admitted;
  }
}

/**
 * When a RECEIVING upload expires: STAGING_IDLE_EXPIRY_MS after its last byte (or its creation),
 * and never later than STAGED_UPLOAD_EXPIRY_MS after its creation. A reservation nobody uses
 * gives its place in the bounds back.
 */
function receivingExpiry(createdAt: number, activeAt: number, config: StagingConfig): number {
  return Math.min(createdAt + config.expiryMs, activeAt + config.idleExpiryMs);
}

/** What the client said of its file, from Upload-Metadata, or the refusal of it. */
function describeUpload(
  metadata: Record<string, string | null>,
): { fileName: string; fileType: string; maviMetadata: UploadMetadata | undefined } | Refusal {
  const text = (key: string) => metadata[key] ?? undefined;
  const fileName = text('filename') ?? text('name') ?? 'upload';
  const badName = videoNameRefusal(fileName);
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
  return { fileName, fileType, maviMetadata: Object.keys(maviMetadata).length > 0 ? maviMetadata : undefined };
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

/** A write refused for want of space (ENOSPC, or a quota's EDQUOT), anywhere along the error's causes. */
function isDiskFull(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth += 1) {
    const code = (cause as Error & { code?: unknown }).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') return true;
  }
  return false;
}

/** The node:http request and response under a tus (srvx) request. */
function nodeOf(req: Request): { req: IncomingMessage; res: ServerResponse } | undefined {
  return (req as Request & { runtime?: { node?: { req: IncomingMessage; res: ServerResponse } } }).runtime?.node;
}

/** A refusal as tus answers one: its status and a JSON body; its headers (Retry-After) go on the response. */
function tusRefusal(refused: Refusal, req: Request): { status_code: number; body: string } {
  const res = nodeOf(req)?.res;
  for (const [name, value] of Object.entries({ ...refusalHeaders(refused), 'content-type': 'application/json' })) {
    res?.setHeader(name, value);
  }
  return { status_code: httpStatusOf(refused.code), body: JSON.stringify(routeRefusalBody(refused)) };
}
