/**
 * The project's MAVI simulator with what only tests and benchmarks need: faults
 * on demand, counters of what reached "MAVI" (so tests can prove what did not),
 * and a control API for a simulator running in another process (the benchmarks).
 */
import type { Hash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { MaviSimulator, type SimulatorOptions } from '../../src/simulator/mavi-simulator.js';
import { sendJson, type EndpointKind } from '../../src/simulator/simulated-api.js';
import { testFamily } from './family.js';

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
  | { kind: 'slow-read'; bytesPerSecond: number }
  /** The test's own answer, written as it likes (lines of a stream, a huge body, a trickle, nothing). */
  | { kind: 'answer'; answer: (req: IncomingMessage, res: ServerResponse) => void };

export interface TestSimulatorOptions extends SimulatorOptions {
  /** Refuse chunked upload bodies with HTTP 411, as some upstreams do (MAVI's behaviour is not documented). */
  requireContentLength?: boolean;
  /** Answer status look-ups (searchDB, get_metadata) with code "0429" (busy). */
  searchBusy?: boolean;
  /**
   * Serve /__simulator/videos (GET: what was registered, with callback URIs),
   * /__simulator/stats (GET) and /__simulator/callback (POST {videoNo, status}) for
   * a simulator running in another process (the benchmarks).
   */
  controlApi?: boolean;
  /** Skip digesting uploads (the benchmarks' sink); `sha256` is then empty. */
  skipHash?: boolean;
  /** Hold the upload's answer this long after callbacks are scheduled (for callback-before-answer races). */
  answerDelayMs?: number;
}

export interface SimulatorStats {
  /** Upload requests that reached the simulator (complete or not). */
  uploadRequests: number;
  /** Upload requests whose body stopped before its end (client or gateway aborted). */
  abortedUploads: number;
  /** Status look-ups: searchDB (original) or get_metadata (v1) calls. */
  searchDbCalls: number;
  /** Upload body bytes read so far, over all uploads. */
  bytesReceived: number;
  /** Videos removed through `DELETE delete`. */
  deletedVideos: number;
}

const CONTROL_PREFIX = '/__simulator/';

export class TestSimulator extends MaviSimulator {
  declare readonly options: TestSimulatorOptions;
  readonly stats: SimulatorStats = {
    uploadRequests: 0,
    abortedUploads: 0,
    searchDbCalls: 0,
    bytesReceived: 0,
    deletedVideos: 0,
  };
  fault: SimulatorFault | undefined;
  /** A misbehaviour for the next deletes (until cleared): one of the answering faults. */
  deleteFault: SimulatorFault | undefined;
  /** Misbehaviours of the other endpoints (search, chat, transcript, url-upload), until cleared. */
  readonly endpointFaults = new Map<EndpointKind, SimulatorFault>();
  /** Requests that reached each kind of endpoint. */
  readonly calls = new Map<EndpointKind, number>();
  private readonly bytesPerRequest = new WeakMap<IncomingMessage, number>();

  constructor(options: TestSimulatorOptions = {}) {
    super({ family: testFamily(), ...options });
  }

  override createDigest(): Hash | undefined {
    return this.options.skipHash ? undefined : super.createDigest();
  }

  override onUploadChunk(req: IncomingMessage, chunk: Buffer): void {
    const seen = (this.bytesPerRequest.get(req) ?? 0) + chunk.length;
    this.bytesPerRequest.set(req, seen);
    this.stats.bytesReceived += chunk.length;
    const fault = this.fault;
    if (fault?.kind === 'reset' && seen >= fault.afterBytes) req.socket.destroy();
    if (fault?.kind === 'slow-read') {
      req.pause();
      setTimeout(() => req.resume(), (chunk.length / fault.bytesPerSecond) * 1000);
    }
  }

  override async beforeAnswer(): Promise<void> {
    if (this.options.answerDelayMs) await sleep(this.options.answerDelayMs);
  }

  protected override async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (this.options.controlApi && url.pathname.startsWith(CONTROL_PREFIX)) return this.control(req, res, url);
    const endpoint = this.endpointOf(req.method ?? '', url.pathname);
    if (endpoint) this.calls.set(endpoint, (this.calls.get(endpoint) ?? 0) + 1);
    if (
      endpoint &&
      endpoint !== 'upload' &&
      endpoint !== 'delete' &&
      this.answerFault(req, res, this.endpointFaults.get(endpoint))
    ) {
      return;
    }

    if (endpoint === 'upload') {
      this.stats.uploadRequests += 1;
      req.once('close', () => {
        if (!req.readableEnded) this.stats.abortedUploads += 1;
      });
      if (this.options.requireContentLength && req.headers['content-length'] === undefined) {
        this.drainThen(req, () => envelope(res, 411, '411', 'Content-Length required'));
        return;
      }
      if (this.answerFault(req, res, this.fault)) return;
    }
    if (endpoint === 'delete' && this.answerFault(req, res, this.deleteFault)) return;
    if (endpoint === 'status') {
      this.stats.searchDbCalls += 1;
      if (this.options.searchBusy) return envelope(res, 200, '0429', 'system busy, please try again later');
    }
    const videosBefore = this.videos.size;
    await super.route(req, res);
    if (endpoint === 'delete') this.stats.deletedVideos += videosBefore - this.videos.size;
  }

  /** Answers with the fault, if it is one that answers; true when it did. */
  private answerFault(req: IncomingMessage, res: ServerResponse, fault: SimulatorFault | undefined): boolean {
    switch (fault?.kind) {
      case 'busy':
        return this.drainThen(req, () => envelope(res, 200, '0429', 'system busy, please try again later'));
      case 'http-429':
        return this.drainThen(req, () => envelope(res, 429, '0429', 'too many requests'));
      case 'unauthorized':
        return this.drainThen(req, () => envelope(res, 401, '401', 'unauthorized'));
      case 'account-disabled':
        return this.drainThen(req, () => envelope(res, 200, '403', 'account disabled'));
      case 'rejected':
        return this.drainThen(req, () => envelope(res, 200, fault.code, fault.msg));
      case 'answer':
        fault.answer(req, res);
        return true;
      case 'server-error':
        return this.drainThen(req, () => {
          res.writeHead(fault.status ?? 502, { 'content-type': 'text/html' });
          res.end('<html><body>Bad Gateway</body></html>');
        });
      default:
        return false;
    }
  }

  private async control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const action = url.pathname.slice(CONTROL_PREFIX.length);
    if (action === 'videos') return sendJson(res, 200, [...this.videos.values()]);
    if (action === 'stats') return sendJson(res, 200, this.stats);
    if (action === 'callback' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const { videoNo, status } = JSON.parse(Buffer.concat(chunks).toString()) as { videoNo: string; status: string };
      return sendJson(res, 200, await this.sendCallback(videoNo, status));
    }
    res.writeHead(404).end();
  }

  private drainThen(req: IncomingMessage, answer: () => void): true {
    req.resume();
    req.once('end', answer);
    return true;
  }
}

function envelope(res: ServerResponse, httpStatus: number, code: string, msg: string): void {
  sendJson(res, httpStatus, { code, msg, data: null });
}
