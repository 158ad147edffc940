/**
 * What the simulator's API families share: the shape of a registered video, what
 * a family may ask of the simulator, and what it provides (its endpoints and its
 * callback shape). A family is one module (original-api.ts) built on these.
 */
import type { Hash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MaviListedVideo, VideoStatus } from '../mavi/types.js';

export interface SimulatedVideo extends MaviListedVideo {
  sha256: string;
  bytes: number;
  contentType: string;
  callbackUri: string | undefined;
}

export interface CallbackDelivery {
  videoNo: string;
  status: VideoStatus;
  httpStatus: number | undefined;
  error?: string;
}

/** One API family's endpoints: answers a request that is one of them, or says it is not. */
export interface SimulatedApi {
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** The JSON body of a status callback in this family's shape. */
  callbackBody(video: SimulatedVideo, status: VideoStatus): unknown;
}

/** What a family may ask of the simulator. */
export interface SimulatorCore {
  readonly videos: Map<string, SimulatedVideo>;
  /** Registers an uploaded video and schedules its callbacks. */
  register(video: SimulatedVideo): void;
  /** The digest kept of each uploaded file (undefined: none). */
  createDigest(): Hash | undefined;
  /** Sees each chunk of an upload body as it is read. */
  onUploadChunk(req: IncomingMessage, chunk: Buffer): void;
  /** Runs between registering an upload and answering it. */
  beforeUploadAnswer(): Promise<void>;
}

export function sendJson(res: ServerResponse, httpStatus: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(httpStatus, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
