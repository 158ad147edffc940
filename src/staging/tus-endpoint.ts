/**
 * The tus 1.0 endpoint at /uploads, on @tus/server: the adapter between tus's handlers and
 * hooks and the gateway's staging. The edge has identified the caller and refused what it
 * must before a request reaches here; the hooks find the request's owner in a request scope
 * of the gateway's own (AsyncLocalStorage), not in tus's or srvx's internals.
 * Downloads (tus GET) are not offered.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Server, type ServerOptions } from '@tus/server';
import { EVENTS, type Upload } from '@tus/utils';
import {
  causesOf,
  httpStatusOf,
  refusal,
  refusalHeaders,
  routeRefusalBody,
  StoreUnavailableError,
  type Refusal,
} from '../errors.js';
import type { Owner } from '../identity.js';
import type { Logger } from '../logger.js';
import type { StagingStore } from './staging-store.js';

export interface TusEndpointDeps {
  staging: StagingStore;
  /** The route the endpoint is served at (/uploads). */
  path: string;
  /** CORS_ORIGINS, for tus's own CORS answers. */
  corsOrigins: '*' | readonly string[];
  /** Announced as Tus-Max-Size, and enforced. */
  maxUploadBytes: number;
  logger: Logger;
  /** Admits (and records) a new upload of `owner`'s, or names why not. */
  admit(upload: Upload, owner: Owner): Promise<Refusal | undefined>;
  /** The last byte is staged. */
  finished(id: string): Promise<void>;
  /** Bytes arrived, up to `offset` (every half second of a PATCH). */
  received(id: string, offset: number): void;
  /** The owner deleted it (tus termination). */
  terminated(id: string): void;
  /** An admitted upload the store never created: its reservation goes. */
  abandoned(id: string): void;
}

/** What the hooks need of a request the edge admitted. */
interface AdmittedRequest {
  owner: Owner;
  res: ServerResponse;
  /** The id a POST's upload was admitted under, until the store has created it. */
  reserved: string | undefined;
  created: boolean;
}

export class TusEndpoint {
  private readonly requests = new AsyncLocalStorage<AdmittedRequest>();
  private readonly tus: Server;

  constructor(private readonly deps: TusEndpointDeps) {
    const { staging } = deps;
    // Advertise only what is served: a deferred length is refused (LENGTH_REQUIRED), so a client
    // that picks its features from Tus-Extension must not be offered it.
    staging.store.extensions = staging.store.extensions.filter((extension) => extension !== 'creation-defer-length');
    this.tus = new Server(this.options());
    this.tus.on(EVENTS.POST_CREATE, () => {
      const admitted = this.requests.getStore();
      if (admitted) admitted.created = true;
    });
    this.tus.on(EVENTS.POST_RECEIVE, (_req: Request, upload: Upload) => deps.received(upload.id, upload.offset));
    this.tus.on(EVENTS.POST_TERMINATE, (_req: Request, _res: Response, id: string) => deps.terminated(id));
  }

  /** Serves a request of `owner`'s that the edge admitted. */
  serve(req: IncomingMessage, res: ServerResponse, owner: Owner): Promise<void> {
    return this.requests.run({ owner, res, reserved: undefined, created: false }, () => this.tus.handle(req, res));
  }

  /** A CORS preflight, which carries no credential. */
  async preflight(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await this.tus.handle(req, res);
  }

  private options(): ServerOptions & { datastore: StagingStore['store'] } {
    const { staging, path, corsOrigins, maxUploadBytes } = this.deps;
    return {
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
      maxSize: maxUploadBytes,
      // A finished upload is the forwarding job's: the client cannot take it back mid-way.
      disableTerminationForFinishedUploads: true,
      onUploadCreate: async (_req, upload) => {
        const admitted = this.admitted();
        const refused = await this.deps.admit(upload, admitted.owner);
        if (refused !== undefined) throw this.answer(refused);
        admitted.reserved = upload.id;
        return {};
      },
      onUploadFinish: async (_req, upload) => {
        await this.deps.finished(upload.id);
        return {};
      },
      onResponseError: (_req, error) => this.refusalFor(error),
    };
  }

  /** A failed request's answer: a refusal of the gateway's, or undefined to let tus answer its own. */
  private refusalFor(error: Error | { status_code: number; body: string }) {
    const admitted = this.requests.getStore();
    // Admitted, but the store never created it: give its place in the bounds back.
    if (admitted?.reserved !== undefined && !admitted.created) this.deps.abandoned(admitted.reserved);
    if (error instanceof StoreUnavailableError) return this.answer(refusal('STORE_UNAVAILABLE'));
    // What was written before the disk filled is synced and kept: the client resumes from it later.
    if (isDiskFull(error)) {
      this.deps.logger.warn('the staging disk is full; a resumable upload request was refused', { error });
      return this.answer(
        refusal(
          'STAGING_FULL',
          'The staging disk is full; what arrived is kept: resume later (HEAD names the offset).',
        ),
      );
    }
    if ('status_code' in error && error.status_code === 413) {
      return this.answer(refusal('UPLOAD_TOO_LARGE', `The upload limit is ${this.deps.maxUploadBytes} bytes.`));
    }
    if ('status_code' in error && error.status_code === 404) return this.answer(refusal('UPLOAD_NOT_FOUND'));
    if (!('status_code' in error)) {
      this.deps.logger.error('a resumable upload request failed', { error });
      return this.answer(refusal('INTERNAL_SERVER_ERROR'));
    }
    return undefined;
  }

  private admitted(): AdmittedRequest {
    const admitted = this.requests.getStore();
    if (!admitted) throw new Error('a tus request reached a hook without passing the edge');
    return admitted;
  }

  /** A refusal as tus answers one: its status and a JSON body; its headers (Retry-After) go on the response. */
  private answer(refused: Refusal): { status_code: number; body: string } {
    const res = this.requests.getStore()?.res;
    for (const [name, value] of Object.entries({ ...refusalHeaders(refused), 'content-type': 'application/json' })) {
      res?.setHeader(name, value);
    }
    return { status_code: httpStatusOf(refused.code), body: JSON.stringify(routeRefusalBody(refused)) };
  }
}

/** A write refused for want of space (ENOSPC, or a quota's EDQUOT), anywhere along the error's causes. */
function isDiskFull(error: unknown): boolean {
  return causesOf(error).some((cause) => {
    const code = (cause as Error & { code?: unknown }).code;
    return code === 'ENOSPC' || code === 'EDQUOT';
  });
}
