/**
 * Resumable uploads: the tus 1.0 endpoint at /uploads, for clients on links that drop. The
 * bytes are staged (staging-store.ts) as they arrive (tus-endpoint.ts); once the last one is,
 * a forwarding job (forwarding.ts) sends the file to MAVI in one clean upload. Clients follow
 * an upload by its tus id (`resumableUpload`, `resumableUploadProgress`).
 *
 * Who may do what is decided before tus sees a request:
 *  - the caller is identified by the edge, exactly as for GraphQL;
 *  - an upload's URL (HEAD, PATCH, DELETE) is its owner's alone: anyone else, and anyone naming
 *    an unknown id, gets 404;
 *  - a new upload (POST) must fit every bound, checked before its body is read (admission.ts).
 * The sweep (expiry-sweep.ts) expires uploads left idle or unfinished.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StagingConfig } from '../config.js';
import { refusal, type Refusal } from '../errors.js';
import type { Owner } from '../identity.js';
import type { Logger } from '../logger.js';
import { admitUpload, receivingExpiry, type AdmissionDeps } from './admission.js';
import { ExpirySweep } from './expiry-sweep.js';
import type { Forwarding } from './forwarding.js';
import type { ProgressFeed, UploadProgress } from './progress-feed.js';
import type { StagedUpload } from './staged-upload.js';
import type { StagingService } from './staging-service.js';
import type { StagingStore } from './staging-store.js';
import { TusEndpoint } from './tus-endpoint.js';

export interface ResumableUploadsDeps extends Pick<AdmissionDeps, 'maxUploadBytes' | 'quotas' | 'refuseMetadata'> {
  config: StagingConfig;
  service: StagingService;
  staging: Promise<StagingStore>;
  /** Starts the forwarding job's workers, given the store. */
  forwarding: (staging: StagingStore) => Forwarding;
  /** The route the endpoint is served at (/uploads). */
  path: string;
  /** CORS_ORIGINS, for tus's own CORS answers. */
  corsOrigins: '*' | readonly string[];
  logger: Logger;
}

interface Started {
  endpoint: TusEndpoint;
  staging: StagingStore;
  forwarding: Forwarding;
  sweep: ExpirySweep;
}

export class ResumableUploads {
  private readonly parts: Promise<Started>;
  private stopped = false;

  constructor(private readonly deps: ResumableUploadsDeps) {
    this.parts = deps.staging.then((staging) => this.build(staging));
    this.parts.catch(() => undefined); // reported by start()
  }

  /** Opens staging, starts the forwarding workers and the sweep (expiry, and recovery after a crash). */
  async start(): Promise<string> {
    const { forwarding, sweep, staging } = await this.parts;
    forwarding.start();
    sweep.start();
    return staging.description;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const started = await this.parts.catch(() => undefined);
    started?.sweep.stop();
    await started?.forwarding.stop();
  }

  /**
   * Why a request to /uploads or /uploads/<id> from `owner` (whom the edge identified) is refused
   * before anything of it is read; undefined when it may go on to `serve`.
   */
  async refusalOf(req: IncomingMessage, owner: Owner): Promise<Refusal | undefined> {
    await this.parts;
    const id = this.idOf(req);
    if (req.method === 'GET') return refusal('UPLOAD_NOT_FOUND', 'Uploads cannot be downloaded here.');
    if (id !== undefined) {
      const upload = await this.deps.service.get(id);
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
    const { endpoint } = await this.parts;
    const id = this.idOf(req);
    // tus reports bytes only every half second of a PATCH: a short one counts from its start.
    if (req.method === 'PATCH' && id !== undefined) await this.active(id);
    await endpoint.serve(req, res, owner);
  }

  /** CORS preflights need no caller. */
  async preflight(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { endpoint } = await this.parts;
    await endpoint.preflight(req, res);
  }

  /** An upload's state for `owner`: undefined when unknown or someone else's. */
  async progress(id: string, owner: Pick<Owner, 'ownerId'>): Promise<UploadProgress | undefined> {
    const upload = await this.deps.service.get(id);
    if (upload === undefined || upload.ownerId !== owner.ownerId) return undefined;
    return { ...upload, offset: await this.stagedOffset(upload) };
  }

  /** The upload's state now, then each change, until REGISTERED or FAILED; undefined when unknown or not the owner's. */
  follow(id: string, owner: Pick<Owner, 'ownerId'>): Promise<ProgressFeed | undefined> {
    return this.deps.service.follow(id, () => this.progress(id, owner));
  }

  /**
   * Erasure: the owner's staged uploads (still receiving, or waiting to reach MAVI) go, their
   * bytes and their records, and their followers' feeds end. Answers how many went.
   */
  async eraseOwner(ownerId: string): Promise<number> {
    const { staging } = await this.parts;
    let erased = 0;
    for (;;) {
      const batch = await this.deps.service.ledger.staged(ownerId, 100);
      if (batch.length === 0) return erased;
      for (const upload of batch) {
        await staging.store.remove(upload.id).catch(() => undefined); // bytes already gone are no matter
        await this.deps.service.remove(upload.id);
        erased += 1;
      }
    }
  }

  private build(staging: StagingStore): Started {
    const { service, config, logger } = this.deps;
    const admission: AdmissionDeps = { ...this.deps, freeBytes: () => staging.freeBytes() };
    const endpoint = new TusEndpoint({
      staging,
      path: this.deps.path,
      corsOrigins: this.deps.corsOrigins,
      maxUploadBytes: this.deps.maxUploadBytes,
      logger,
      admit: (upload, owner) => admitUpload(admission, upload, owner),
      finished: (id) => this.queue(id),
      received: (id, offset) => void this.active(id, offset),
      terminated: (id) =>
        void service
          .remove(id)
          .catch((error: unknown) => logger.warn('could not forget a terminated upload', { error })),
      abandoned: (id) => void service.ledger.remove(id).catch(() => undefined),
    });
    const forwarding = this.deps.forwarding(staging);
    const sweep = new ExpirySweep({ config, service, staging, queue: (id) => this.queue(id), logger });
    logger.debug('resumable uploads staged in', { where: staging.description, expiryMs: config.expiryMs });
    return { endpoint, staging, forwarding, sweep };
  }

  /** The last byte is staged: the forwarding job is queued (durably, before the client hears so). */
  private async queue(id: string): Promise<void> {
    const upload = await this.deps.service.get(id);
    if (upload?.state !== 'RECEIVING') return;
    // Retried until then (MAVI busy or away): as long again as an unfinished upload may wait.
    await this.deps.service.queue(upload, Date.now() + this.deps.config.expiryMs);
    (await this.parts).forwarding.wake();
  }

  /** The upload is in use: its idle expiry moves on, and its followers hear the offset when known. */
  private async active(id: string, offset?: number): Promise<void> {
    const { service, config, logger } = this.deps;
    await service
      .receiving(id, (current) => receivingExpiry(current.createdAt, Date.now(), config), offset)
      .catch((error: unknown) => logger.warn("could not record a resumable upload's activity", { error }));
  }

  private async stagedOffset(upload: StagedUpload): Promise<number> {
    if (upload.state !== 'RECEIVING') return upload.length;
    const { staging } = await this.parts;
    return (await staging.store.getUpload(upload.id).catch(() => undefined))?.offset ?? 0;
  }

  /** The id the request names, as written (`/uploads/.` names ".", not the collection). */
  private idOf(req: IncomingMessage): string | undefined {
    const pathname = (req.url ?? '/').split('?')[0]!;
    const rest = pathname.slice(this.deps.path.length + 1);
    return rest === '' ? undefined : rest;
  }
}
