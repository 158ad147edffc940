/**
 * A stand-in for MAVI's v1 API, built from shared/mavi-api.md: a real HTTP
 * server that checks the key, takes the multipart upload as a stream, answers
 * with MAVI's envelope, and later POSTs status callbacks to `callBackUri`.
 * Tests and `npm start` without a MAVI key use it. It can also misbehave on
 * demand (see SimulatorFault) and reports what it received, so tests can prove
 * what did, and did not, reach "MAVI".
 */
import { createHash, randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import busboy from 'busboy';
import { request } from 'undici';
import type { MaviListedVideo, VideoStatus } from '../mavi/types.js';

/** A misbehaviour for the next uploads (until cleared). */
export type SimulatorFault =
  /** HTTP 200 with envelope code "0429" (system busy). */
  | { kind: 'busy' }
  /** HTTP 429. */
  | { kind: 'http-429' }
  /** HTTP 401, as for a bad key. */
  | { kind: 'unauthorized' }
  /** HTTP 200 with envelope code "403" (account disabled). */
  | { kind: 'account-disabled' }
  /** HTTP 200 with another non-"0000" code and a message. */
  | { kind: 'rejected'; code: string; msg: string }
  /** HTTP 5xx with a non-JSON body. */
  | { kind: 'server-error'; status?: number }
  /** Destroys the connection once this many bytes of the body arrived. */
  | { kind: 'reset'; afterBytes: number }
  /** Reads the body at this rate (bytes per second) before answering normally. */
  | { kind: 'slow-read'; bytesPerSecond: number };

export interface SimulatorOptions {
  /** The key clients must send (raw, or as `Bearer <key>`). */
  apiKey?: string;
  port?: number;
  host?: string;
  /** Delay before the UNPARSE callback. */
  unparseCallbackDelayMs?: number;
  /** Delay before the final (PARSE or FAIL) callback. */
  parseDelayMs?: number;
  /** The final status uploads reach. */
  outcome?: 'PARSE' | 'FAIL';
  /** Send no callbacks by itself (tests drive them with sendCallback). */
  manualCallbacks?: boolean;
  /** Refuse chunked upload bodies with HTTP 411, as some upstreams do (MAVI's behaviour is not documented). */
  requireContentLength?: boolean;
  /** Answer searchDB with code "0429" (busy). */
  searchBusy?: boolean;
  /**
   * Serve /__simulator/videos (GET: what was registered, with callback URIs),
   * /__simulator/stats (GET) and /__simulator/callback (POST {videoNo, status}) for
   * a simulator running in another process (the benchmarks).
   */
  controlApi?: boolean;
  /** Skip hashing uploads (the benchmarks' sink); `sha256` is then empty. */
  skipHash?: boolean;
  /** Hold the upload's answer this long after callbacks are scheduled (for callback-before-answer races). */
  answerDelayMs?: number;
}

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

export interface SimulatorStats {
  /** Upload requests that reached the simulator (complete or not). */
  uploadRequests: number;
  /** Upload requests whose body stopped before its end (client or gateway aborted). */
  abortedUploads: number;
  searchDbCalls: number;
  /** Upload body bytes read so far, over all uploads. */
  bytesReceived: number;
  /** Videos removed through `DELETE delete`. */
  deletedVideos: number;
}

const API_PREFIX = '/api/serve/video/';
const CONTROL_PREFIX = '/__simulator/';

export class MaviSimulator {
  readonly apiKey: string;
  readonly options: SimulatorOptions;
  readonly videos = new Map<string, SimulatedVideo>();
  readonly callbacks: CallbackDelivery[] = [];
  readonly stats: SimulatorStats = {
    uploadRequests: 0,
    abortedUploads: 0,
    searchDbCalls: 0,
    bytesReceived: 0,
    deletedVideos: 0,
  };
  fault: SimulatorFault | undefined;
  private readonly server: Server;
  private readonly timers = new Set<NodeJS.Timeout>();
  private baseUrl = '';

  constructor(options: SimulatorOptions = {}) {
    this.options = { unparseCallbackDelayMs: 10, parseDelayMs: 200, outcome: 'PARSE', ...options };
    this.apiKey = options.apiKey ?? 'simulator-key-0123456789';
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        if (!res.headersSent) this.envelope(res, 500, '500', `simulator error: ${String(error)}`);
        else res.destroy();
      });
    });
  }

  get url(): string {
    return this.baseUrl;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', resolve),
    );
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Sets the status searchDB reports, optionally POSTing the callback too. */
  async setStatus(videoNo: string, status: VideoStatus, options: { notify?: boolean } = {}): Promise<void> {
    const video = this.videos.get(videoNo);
    if (!video) throw new Error(`simulator: no video ${videoNo}`);
    video.videoStatus = status;
    if (options.notify) await this.sendCallback(videoNo, status);
  }

  /** POSTs a callback for the video to its callBackUri, as MAVI does. */
  async sendCallback(videoNo: string, status: VideoStatus, callbackUri?: string): Promise<CallbackDelivery> {
    const video = this.videos.get(videoNo);
    const target = callbackUri ?? video?.callbackUri;
    if (!target) throw new Error(`simulator: no callBackUri for ${videoNo}`);
    const delivery: CallbackDelivery = { videoNo, status, httpStatus: undefined };
    try {
      const answer = await request(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ videoNo, clientId: 'd7a7427b502df6c8e31de003675b7b77', status }),
      });
      await answer.body.dump();
      delivery.httpStatus = answer.statusCode;
    } catch (error) {
      delivery.error = String(error);
    }
    this.callbacks.push(delivery);
    return delivery;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (this.options.controlApi && url.pathname.startsWith(CONTROL_PREFIX)) return this.control(req, res, url);
    if (!url.pathname.startsWith(API_PREFIX)) return this.envelope(res, 404, '404', 'not found');
    const endpoint = url.pathname.slice(API_PREFIX.length);

    if (!this.isAuthorized(req.headers.authorization)) {
      req.resume();
      return this.envelope(res, 401, '401', 'invalid api key');
    }
    if (endpoint === 'upload' && req.method === 'POST') return this.upload(req, res, url);
    if (endpoint === 'searchDB' && req.method === 'GET') return this.searchDb(res, url);
    if (endpoint === 'delete' && req.method === 'DELETE') return this.deleteVideos(req, res);
    req.resume();
    return this.envelope(res, 404, '404', `unknown endpoint ${req.method} ${endpoint}`);
  }

  private async control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const send = (body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    const action = url.pathname.slice(CONTROL_PREFIX.length);
    if (action === 'videos') return send([...this.videos.values()]);
    if (action === 'stats') return send(this.stats);
    if (action === 'callback' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const { videoNo, status } = JSON.parse(Buffer.concat(chunks).toString()) as {
        videoNo: string;
        status: VideoStatus;
      };
      return send(await this.sendCallback(videoNo, status));
    }
    res.writeHead(404).end();
  }

  private isAuthorized(header: string | undefined): boolean {
    return header === this.apiKey || header === `Bearer ${this.apiKey}`;
  }

  private async upload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    this.stats.uploadRequests += 1;
    const fault = this.fault;
    let aborted = false;
    req.once('close', () => {
      if (!req.readableEnded) aborted = true;
    });

    if (this.options.requireContentLength && req.headers['content-length'] === undefined) {
      return this.drainThen(req, () => this.envelope(res, 411, '411', 'Content-Length required'));
    }

    switch (fault?.kind) {
      case 'busy':
        return this.drainThen(req, () => this.envelope(res, 200, '0429', 'system busy, please try again later'));
      case 'http-429':
        return this.drainThen(req, () => this.envelope(res, 429, '0429', 'too many requests'));
      case 'unauthorized':
        return this.drainThen(req, () => this.envelope(res, 401, '401', 'unauthorized'));
      case 'account-disabled':
        return this.drainThen(req, () => this.envelope(res, 200, '403', 'account disabled'));
      case 'rejected':
        return this.drainThen(req, () => this.envelope(res, 200, fault.code, fault.msg));
      case 'server-error':
        return this.drainThen(req, () => {
          res.writeHead(fault.status ?? 502, { 'content-type': 'text/html' });
          res.end('<html><body>Bad Gateway</body></html>');
        });
      default:
    }

    let received: { fileName: string; contentType: string; sha256: string; bytes: number } | undefined;
    try {
      received = await this.readFilePart(req, fault);
    } catch {
      // The body broke off (a reset fault, or the sender aborted): nothing is registered.
      this.stats.abortedUploads += 1;
      if (!res.headersSent && !res.destroyed) this.envelope(res, 400, '400', 'incomplete multipart body');
      return;
    }
    if (aborted) {
      this.stats.abortedUploads += 1;
      return;
    }
    if (!received) return this.envelope(res, 400, '400', 'the multipart part "file" is required');

    const video: SimulatedVideo = {
      videoNo: `mavi_video_${String(randomInt(10 ** 11, 10 ** 12 - 1))}${String(randomInt(10 ** 5, 10 ** 6 - 1))}`,
      videoName: received.fileName,
      videoStatus: 'UNPARSE',
      uploadTime: String(Date.now()),
      duration: 0,
      sha256: received.sha256,
      bytes: received.bytes,
      contentType: received.contentType,
      callbackUri: url.searchParams.get('callBackUri') ?? undefined,
    };
    this.videos.set(video.videoNo, video);
    this.scheduleCallbacks(video);
    if (this.options.answerDelayMs) await sleep(this.options.answerDelayMs);
    this.envelope(res, 200, '0000', 'success', {
      videoNo: video.videoNo,
      videoName: video.videoName,
      videoStatus: 'UNPARSE',
      uploadTime: video.uploadTime,
    });
  }

  /** Streams the body through busboy, hashing the `file` part; resolves when the whole body was read. */
  private readFilePart(req: IncomingMessage, fault: SimulatorFault | undefined) {
    return new Promise<{ fileName: string; contentType: string; sha256: string; bytes: number } | undefined>(
      (resolve, reject) => {
        let result: { fileName: string; contentType: string; sha256: string; bytes: number } | undefined;
        let parser: busboy.Busboy;
        try {
          parser = busboy({ headers: req.headers, defParamCharset: 'utf8' }); // RFC 7578: UTF-8 file names
        } catch (error) {
          req.resume();
          reject(error);
          return;
        }
        parser.on('file', (name, stream, info) => {
          if (name !== 'file') {
            stream.resume();
            return;
          }
          const hash = this.options.skipHash ? undefined : createHash('sha256');
          let bytes = 0;
          stream.on('data', (chunk: Buffer) => {
            hash?.update(chunk);
            bytes += chunk.length;
          });
          stream.on('end', () => {
            const sha256 = hash?.digest('hex') ?? '';
            result = { fileName: info.filename ?? '', contentType: info.mimeType, sha256, bytes };
          });
        });
        parser.on('close', () => resolve(result));
        parser.on('error', reject);
        req.on('error', reject);
        req.on('aborted', () => reject(new Error('aborted')));
        req.on('close', () => {
          if (!req.readableEnded) reject(new Error('closed before the end of the body'));
        });

        let seen = 0;
        req.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          this.stats.bytesReceived += chunk.length;
          if (fault?.kind === 'reset' && seen >= fault.afterBytes) {
            req.socket.destroy();
            reject(new Error('reset'));
            return;
          }
          if (fault?.kind === 'slow-read') {
            req.pause();
            setTimeout(() => req.resume(), (chunk.length / fault.bytesPerSecond) * 1000);
          }
          if (!parser.write(chunk)) {
            req.pause();
            parser.once('drain', () => req.resume());
          }
        });
        req.on('end', () => parser.end());
      },
    );
  }

  private scheduleCallbacks(video: SimulatedVideo): void {
    if (this.options.manualCallbacks || !video.callbackUri) return;
    const final = this.options.outcome ?? 'PARSE';
    this.later(this.options.unparseCallbackDelayMs ?? 0, () => this.sendCallback(video.videoNo, 'UNPARSE'));
    this.later(this.options.parseDelayMs ?? 0, async () => {
      video.videoStatus = final;
      await this.sendCallback(video.videoNo, final);
    });
  }

  /** `DELETE delete` with a JSON array of videoNos; code 409 when one is already gone, as MAVI does. */
  private async deleteVideos(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let videoNos: unknown;
    try {
      videoNos = JSON.parse(Buffer.concat(chunks).toString());
    } catch {
      return this.envelope(res, 400, '400', 'the body must be a JSON array of videoNo');
    }
    if (!Array.isArray(videoNos) || videoNos.length > 500) {
      return this.envelope(res, 400, '400', 'the body must be a JSON array of at most 500 videoNo');
    }
    const missing = videoNos.filter((videoNo) => !this.videos.has(String(videoNo)));
    for (const videoNo of videoNos) this.videos.delete(String(videoNo));
    this.stats.deletedVideos += videoNos.length - missing.length;
    if (missing.length > 0) return this.envelope(res, 200, '409', `already deleted: ${missing.join(', ')}`);
    this.envelope(res, 200, '0000', 'success');
  }

  private searchDb(res: ServerResponse, url: URL): void {
    this.stats.searchDbCalls += 1;
    if (this.options.searchBusy) return this.envelope(res, 200, '0429', 'system busy, please try again later');
    const q = url.searchParams;
    const startTime = Number(q.get('startTime') ?? 0);
    const endTime = Number(q.get('endTime') ?? Number.MAX_SAFE_INTEGER);
    const status = q.get('videoStatus');
    const name = q.get('videoName');
    const page = Math.max(1, Number(q.get('page') ?? 1));
    const pageSize = Math.min(200, Math.max(1, Number(q.get('pageSize') ?? 20)));
    const matching = [...this.videos.values()].filter(
      (video) =>
        Number(video.uploadTime) >= startTime &&
        Number(video.uploadTime) <= endTime &&
        (!status || video.videoStatus === status) &&
        (!name || video.videoName.includes(name)),
    );
    const rows = matching.slice((page - 1) * pageSize, page * pageSize).map((video) => ({
      videoNo: video.videoNo,
      videoName: video.videoName,
      videoStatus: video.videoStatus,
      uploadTime: video.uploadTime,
      duration: video.duration,
    }));
    this.envelope(res, 200, '0000', 'success', {
      page,
      current: page,
      total: matching.length,
      pageSize,
      videoData: rows,
    });
  }

  private later(delayMs: number, action: () => Promise<unknown>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action().catch(() => undefined);
    }, delayMs);
    this.timers.add(timer);
  }

  private drainThen(req: IncomingMessage, answer: () => void): void {
    req.resume();
    req.once('end', answer);
  }

  private envelope(res: ServerResponse, httpStatus: number, code: string, msg: string, data: unknown = null): void {
    const body = JSON.stringify({ code, msg, data });
    res.writeHead(httpStatus, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }
}
