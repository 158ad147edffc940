/**
 * What the simulator's API families share: the shape of a registered video, what
 * a family may ask of the simulator, and what it provides (its endpoints and its
 * callback shape). A family is one module (original-api.ts) built on these.
 */
import type { Hash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
/** A video as the simulated MAVI keeps it; `videoStatus` as MAVI spells it (FAILED is one). */
export interface SimulatedVideo {
  videoNo: string;
  videoName: string;
  videoStatus: string;
  /** Epoch ms, as a string (as MAVI sends it). */
  uploadTime: string;
  duration: number;
  sha256: string;
  bytes: number;
  contentType: string;
  callbackUri: string | undefined;
  /** The successor family's partition (`unique_id`); undefined in the original family. */
  partition?: string;
  /** Plain form fields sent with the upload. */
  fields: Record<string, string>;
  /** The successor family's tags, as sent. */
  tags?: string[];
}

export interface CallbackDelivery {
  videoNo: string;
  status: string;
  httpStatus: number | undefined;
  error?: string;
}

/** What an endpoint is, whatever a family calls it (for counters and faults). */
export type EndpointKind =
  'upload' | 'url-upload' | 'status' | 'delete' | 'search' | 'chat' | 'transcript' | 'image' | 'live';

/** One API family's endpoints: answers a request that is one of them, or says it is not. */
export interface SimulatedApi {
  /** Whether the Authorization header carries the key in this family's form. */
  isAuthorized(header: string | undefined, apiKey: string): boolean;
  /** Which kind of endpoint a request is for, if any. */
  endpointOf(method: string, pathname: string): EndpointKind | undefined;
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** The JSON body of a status callback in this family's shape. */
  callbackBody(video: SimulatedVideo, status: string): unknown;
  /** The JSON body of a finished transcription task's callback (the original family's only). */
  transcriptionBody?(task: TranscriptionTask): unknown;
}

/** What a simulated chat stream reports of itself. */
export interface ChatStreamStats {
  /** Streams started. */
  opened: number;
  /** Streams whose client (the gateway) went away before the end. */
  aborted: number;
  /** Streams written to the end. */
  completed: number;
  /** Streams being written now. */
  open: number;
}

/** A transcription task of the original family. */
export interface TranscriptionTask {
  taskNo: string;
  videoNo: string;
  type: 'AUDIO' | 'VIDEO';
  callbackUri: string | undefined;
  finished: boolean;
}

/** The upload answer's `data`, the same in both families. */
export interface UploadAnswer {
  videoNo: string;
  videoName: string;
  videoStatus: 'UNPARSE';
  uploadTime: string;
}

/** What a family may ask of the simulator. */
export interface SimulatorCore {
  readonly videos: Map<string, SimulatedVideo>;
  /**
   * Registers an uploaded file as a new video (UNPARSE), schedules its callbacks,
   * waits as the simulator is told to, and gives the upload answer's `data`.
   */
  registerUpload(
    videoNo: string,
    file: { fileName: string; contentType: string; sha256: string; bytes: number },
    extras: Pick<SimulatedVideo, 'callbackUri' | 'fields' | 'tags'> & { partition?: string },
  ): Promise<UploadAnswer>;
  /** Registers a video MAVI was asked to fetch from a URL (the simulator fetches nothing). */
  registerUrlUpload(
    videoNo: string,
    url: string,
    extras: Pick<SimulatedVideo, 'callbackUri' | 'fields' | 'tags'> & { partition?: string },
  ): Promise<UploadAnswer>;
  /** Starts a transcription task of the original family; its callback follows (or waits, with manualCallbacks). */
  startTranscription(video: SimulatedVideo, type: 'AUDIO' | 'VIDEO', callbackUri: string | undefined): string;
  readonly transcriptionTasks: Map<string, TranscriptionTask>;
  readonly chatStreams: ChatStreamStats;
  /** The chat stream's pace and length (SimulatorOptions). */
  readonly chatOptions: { pieceDelayMs: number; extraPieces: number };
  /** Runs between registering an upload or a task and answering it (a test's delay goes here). */
  beforeAnswer(): Promise<void>;
  /** The digest kept of each uploaded file (undefined: none). */
  createDigest(): Hash | undefined;
  /** Sees each chunk of an upload body as it is read. */
  onUploadChunk(req: IncomingMessage, chunk: Buffer): void;
}

export function sendJson(res: ServerResponse, httpStatus: number, body: unknown): void {
  sendJsonText(res, httpStatus, JSON.stringify(body));
}

/** A JSON answer already written as text (where a value must be written as no JSON.stringify would). */
export function sendJsonText(res: ServerResponse, httpStatus: number, text: string): void {
  res.writeHead(httpStatus, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * A family's endpoint table: `"METHOD path"` under its prefix → the kind of
 * endpoint, and a handler per kind. Gives the family's endpointOf and handle.
 */
export function routeTable(
  prefix: string,
  endpoints: Record<string, EndpointKind>,
  handlers: Partial<Record<EndpointKind, (req: IncomingMessage, res: ServerResponse, url: URL) => unknown>>,
): Pick<SimulatedApi, 'endpointOf' | 'handle'> {
  const endpointOf = (method: string, pathname: string) =>
    pathname.startsWith(prefix) ? endpoints[`${method} ${pathname.slice(prefix.length)}`] : undefined;
  return {
    endpointOf,
    async handle(req, res, url) {
      const kind = endpointOf(req.method ?? '', url.pathname);
      if (kind !== undefined) await handlers[kind]?.(req, res, url);
      return kind !== undefined;
    },
  };
}
