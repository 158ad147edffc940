import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Refusal } from '../errors.js';
import type { YogaInitialContext } from 'graphql-yoga';
import type { StatusService } from '../status/status-service.js';
import type { Uploads } from '../upload/upload-video.js';
import type { Caller, Owner, OwnerNames, Viewer } from '../identity.js';
import type { Chats } from '../videos/chat.js';
import type { Transcripts } from '../videos/transcripts.js';
import type { DetailsLoader, VideoLibrary } from '../videos/video-library.js';
import type { Erasures } from '../videos/erasures.js';
import type { ResumableUploads } from '../staging/resumable-uploads.js';
import type { AppWebhooks } from '../webhooks/app-webhooks.js';
import type { ImageLibrary } from '../images/image-library.js';
import type { LiveAnalyses } from '../live/live-analyses.js';

/** The slot an admitted upload request holds (edge/upload-admission.ts). */
export interface UploadSlot {
  /** Keeps the slot until `work` (the upload, through to MAVI's answer) has ended, past the request's own end. */
  holdUntil(work: Promise<unknown>): void;
}

/**
 * What the transport gives Yoga: node:http's request and response, or, for a
 * websocket operation, the upgrade request and the graphql-ws connectionParams;
 * and what the edge learned of the request before Yoga saw it.
 */
export type ServerContext = {
  req: IncomingMessage;
  res?: ServerResponse;
  connectionParams?: Readonly<Record<string, unknown>>;
  /** A websocket operation's: aborted when its socket closes (HTTP operations have their request's). */
  signal?: AbortSignal;
  /** The identified caller, or why the request's credential was refused (UNAUTHENTICATED, or the provider away). */
  caller?: Caller | Refusal;
  /** An upload request's admission slot. */
  uploadSlot?: UploadSlot;
  /**
   * Set when the transport serves the operation's stream itself: websockets
   * (server/websocket.ts), and SSE subscriptions to shareable fields
   * (server/event-streams.ts). It keeps its own stream limits, token expiry and
   * counts, so the plugins that keep them for Yoga's SSE responses stand aside.
   */
  streamedBy?: 'websocket' | 'sse';
};

/** What the gateway adds to every operation's context. */
export interface GatewayUserContext {
  status: StatusService;
  uploads: Uploads;
  library: VideoLibrary;
  /** Owners' image libraries and picture search. */
  images: ImageLibrary;
  /** Live-stream analyses. */
  live: LiveAnalyses;
  chats: Chats;
  transcripts: Transcripts;
  /** Resumable uploads (tus at /uploads); undefined when this gateway has none (RESUMABLE_UPLOADS=off, or several instances without S3 staging). */
  resumableUploads: ResumableUploads | undefined;
  /** What MAVI knows of videos, loaded in batches; one loader per operation. */
  details: DetailsLoader;
  /** Aborted when the client that asked is gone: MAVI calls made only for it are then cancelled. */
  signal: AbortSignal | undefined;
  /** Erasing owners (`eraseOwner`, `erasure`). */
  erasures: Erasures;
  /** The app's webhook endpoints; undefined when there can be none (no APP_WEBHOOK_URL, no service keys). */
  appWebhooks: AppWebhooks | undefined;
  /** The owner an `OwnerInput` names (a user by its claims, a client key by its name), or why none is. */
  ownerNamed(names: Partial<OwnerNames>): Owner | Refusal;
  /** Who asks: what every ownership check reads (videos/ownership.ts), what limits count by, and where its uploads go at MAVI. */
  viewer: Viewer;
}

/** What every resolver gets: Yoga's context (request, params), the Node request, and the gateway's. */
export type GatewayContext = YogaInitialContext & Partial<ServerContext> & GatewayUserContext;
