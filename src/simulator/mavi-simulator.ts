/**
 * A stand-in for MAVI, built from its API pages (docs/memories-api.md): a real
 * HTTP server that checks the key, takes uploads as a stream, answers in MAVI's
 * shapes, and later POSTs status callbacks, as MAVI does. `npm start` without a
 * MAVI key runs it; the tests and benchmarks extend it (test/utils/test-simulator.ts)
 * with faults and counters.
 *
 * What is common to every API family lives here: the server, the key check, the
 * registered videos, the callbacks. Each family's endpoints and shapes live in a
 * module of their own (original-api.ts, v1-api.ts), chosen by `family`.
 */
import { createHash, type Hash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { originalApi } from './original-api.js';
import { v1Api } from './v1-api.js';
import { SimulatedPictures } from './v1-pictures.js';
import {
  sendJson,
  type CallbackDelivery,
  type ChatStreamStats,
  type EndpointKind,
  type SimulatedApi,
  type SimulatedVideo,
  type SimulatorCore,
  type TranscriptionTask,
  type UploadAnswer,
} from './simulated-api.js';

export interface SimulatorOptions {
  /** Which MAVI API family to speak (as MAVI_API): the original one by default. */
  family?: 'original' | 'v1';
  /** The successor family's upload limit in bytes (MAVI documents 3 GB). */
  maxUploadBytes?: number;
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
  /** Send no callbacks by itself (tests drive them with sendCallback and finishTranscription). */
  manualCallbacks?: boolean;
  /** Delay between the pieces of a chat answer. */
  chatPieceDelayMs?: number;
  /** Text pieces added to every chat answer ("More 1." …), to make long streams. */
  chatExtraPieces?: number;
  /** The pace of a live stream's results (the successor family): MAVI's is about 5 s. */
  liveResultIntervalMs?: number;
  /** Delay before a transcription task (original family) finishes and calls back. */
  transcriptionDelayMs?: number;
  /**
   * A file to keep the registered videos and transcription tasks in, read at start: a simulator
   * restarted on it remembers what the gateway remembers (`npm start` keeps it in DATA_DIR).
   * Unset: it forgets at stop, as the tests' simulators do.
   */
  stateFile?: string;
}

/** What a simulator keeps in its state file. */
interface SimulatorState {
  videos: SimulatedVideo[];
  transcriptionTasks: TranscriptionTask[];
}

export class MaviSimulator implements SimulatorCore {
  readonly apiKey: string;
  readonly options: SimulatorOptions;
  readonly videos = new Map<string, SimulatedVideo>();
  readonly callbacks: CallbackDelivery[] = [];
  readonly transcriptionTasks = new Map<string, TranscriptionTask>();
  readonly chatStreams: ChatStreamStats = { opened: 0, aborted: 0, completed: 0, open: 0 };
  /** The successor family's pictures and live streams (empty in the original family, which has none). */
  readonly pictures: SimulatedPictures;
  private readonly api: SimulatedApi;
  private readonly server: Server;
  private readonly timers = new Set<NodeJS.Timeout>();
  private baseUrl = '';
  /** The state file's text as last written: a request that changed nothing writes nothing. */
  private savedState = '';

  constructor(options: SimulatorOptions = {}) {
    this.options = { unparseCallbackDelayMs: 10, parseDelayMs: 200, outcome: 'PARSE', ...options };
    this.apiKey = options.apiKey ?? 'simulator-key-0123456789';
    this.pictures = new SimulatedPictures(this, this.options.liveResultIntervalMs ?? 5_000);
    this.api =
      this.options.family === 'v1'
        ? v1Api(this, this.options.maxUploadBytes ?? 3_000_000_000, this.pictures)
        : originalApi(this);
    this.server = createServer((req, res) => {
      this.route(req, res)
        .catch((error: unknown) => {
          if (!res.headersSent)
            sendJson(res, 500, { code: '500', msg: `simulator error: ${String(error)}`, data: null });
          else res.destroy();
        })
        .finally(() => this.saveState());
    });
  }

  get chatOptions() {
    return { pieceDelayMs: this.options.chatPieceDelayMs ?? 1, extraPieces: this.options.chatExtraPieces ?? 0 };
  }

  get url(): string {
    return this.baseUrl;
  }

  async start(): Promise<void> {
    this.loadState();
    await new Promise<void>((resolve) =>
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', resolve),
    );
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.pictures.stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Sets the status MAVI reports for a video, optionally POSTing the callback too. */
  async setStatus(videoNo: string, status: string, options: { notify?: boolean } = {}): Promise<void> {
    const video = this.videos.get(videoNo);
    if (!video) throw new Error(`simulator: no video ${videoNo}`);
    video.videoStatus = status;
    if (options.notify) await this.sendCallback(videoNo, status);
  }

  /** POSTs a callback for the video to its callback address, as MAVI does. */
  async sendCallback(videoNo: string, status: string, callbackUri?: string): Promise<CallbackDelivery> {
    const video = this.videos.get(videoNo);
    const target = callbackUri ?? video?.callbackUri;
    if (!target) throw new Error(`simulator: no callback address for ${videoNo}`);
    return this.post(target, { videoNo, status }, video ? this.api.callbackBody(video, status) : { videoNo, status });
  }

  private async post(
    target: string,
    what: Pick<CallbackDelivery, 'videoNo' | 'status'>,
    body: unknown,
  ): Promise<CallbackDelivery> {
    const delivery: CallbackDelivery = { ...what, httpStatus: undefined };
    try {
      const answer = await request(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await answer.body.dump();
      delivery.httpStatus = answer.statusCode;
    } catch (error) {
      delivery.error = String(error);
    }
    this.callbacks.push(delivery);
    return delivery;
  }

  async registerUpload(
    videoNo: string,
    file: { fileName: string; contentType: string; sha256: string; bytes: number },
    extras: Pick<SimulatedVideo, 'callbackUri' | 'fields' | 'tags'> & { partition?: string },
  ): Promise<UploadAnswer> {
    const video: SimulatedVideo = {
      videoNo,
      videoName: file.fileName,
      videoStatus: 'UNPARSE',
      uploadTime: String(Date.now()),
      // Every simulated video lasts 8 s: the clips found in it cover 0–8 s (video-content.ts).
      duration: 8,
      sha256: file.sha256,
      bytes: file.bytes,
      contentType: file.contentType,
      ...extras,
    };
    this.register(video);
    await this.beforeAnswer();
    return { videoNo, videoName: video.videoName, videoStatus: 'UNPARSE', uploadTime: video.uploadTime };
  }

  async registerUrlUpload(
    videoNo: string,
    url: string,
    extras: Pick<SimulatedVideo, 'callbackUri' | 'fields' | 'tags'> & { partition?: string },
  ): Promise<UploadAnswer> {
    const fileName = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '') || 'video.mp4';
    return this.registerUpload(videoNo, { fileName, contentType: 'video/mp4', sha256: '', bytes: 0 }, extras);
  }

  startTranscription(video: SimulatedVideo, type: 'AUDIO' | 'VIDEO', callbackUri: string | undefined): string {
    const taskNo = `task_${video.videoNo}_${type}_${this.transcriptionTasks.size + 1}`;
    this.transcriptionTasks.set(taskNo, { taskNo, videoNo: video.videoNo, type, callbackUri, finished: false });
    if (!this.options.manualCallbacks) {
      this.later(this.options.transcriptionDelayMs ?? 50, () => this.finishTranscription(taskNo));
    }
    return taskNo;
  }

  /** Finishes a transcription task and POSTs its callback: the task's `data`, as the original family does. */
  async finishTranscription(taskNo: string, options: { callbackUri?: string } = {}): Promise<CallbackDelivery> {
    const task = this.transcriptionTasks.get(taskNo);
    if (!task) throw new Error(`simulator: no transcription task ${taskNo}`);
    task.finished = true;
    const target = options.callbackUri ?? task.callbackUri;
    if (!target) throw new Error(`simulator: no callback address for ${taskNo}`);
    return this.post(target, { videoNo: task.videoNo, status: 'FINISH' }, this.api.transcriptionBody?.(task) ?? {});
  }

  /** Registers a video and schedules its callbacks: UNPARSE, then the outcome. */
  private register(video: SimulatedVideo): void {
    this.videos.set(video.videoNo, video);
    if (this.options.manualCallbacks || !video.callbackUri) return;
    this.later(this.options.unparseCallbackDelayMs ?? 0, () => this.sendCallback(video.videoNo, 'UNPARSE'));
    this.scheduleOutcome(video);
  }

  private scheduleOutcome(video: SimulatedVideo): void {
    const final = this.options.outcome ?? 'PARSE';
    this.later(this.options.parseDelayMs ?? 0, async () => {
      video.videoStatus = final;
      await this.sendCallback(video.videoNo, final);
    });
  }

  /** Reads the state file, if any; what was under way when it was written goes on (its callbacks come). */
  private loadState(): void {
    const { stateFile } = this.options;
    if (stateFile === undefined || !existsSync(stateFile)) return;
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as SimulatorState;
    for (const video of state.videos) {
      this.videos.set(video.videoNo, video);
      if (video.videoStatus === 'UNPARSE' && video.callbackUri && !this.options.manualCallbacks) {
        this.scheduleOutcome(video);
      }
    }
    for (const task of state.transcriptionTasks) {
      this.transcriptionTasks.set(task.taskNo, task);
      if (!task.finished && !this.options.manualCallbacks) {
        this.later(this.options.transcriptionDelayMs ?? 50, () => this.finishTranscription(task.taskNo));
      }
    }
    this.savedState = JSON.stringify(state);
  }

  /** Writes the state file when the state changed (a new file renamed over the old: never half written). */
  private saveState(): void {
    const { stateFile } = this.options;
    if (stateFile === undefined) return;
    const state: SimulatorState = {
      videos: [...this.videos.values()],
      transcriptionTasks: [...this.transcriptionTasks.values()],
    };
    const text = JSON.stringify(state);
    if (text === this.savedState) return;
    mkdirSync(dirname(stateFile), { recursive: true });
    writeFileSync(`${stateFile}.tmp`, text);
    renameSync(`${stateFile}.tmp`, stateFile);
    this.savedState = text;
  }

  /** The digest kept of each uploaded file, so tests can prove the bytes arrived intact. */
  createDigest(): Hash | undefined {
    return createHash('sha256');
  }

  /** Sees each chunk of an upload body as it is read (the test simulator counts and misbehaves here). */
  onUploadChunk(_req: IncomingMessage, _chunk: Buffer): void {}

  /** Runs between registering an upload and answering it (the test simulator delays here). */
  async beforeAnswer(): Promise<void> {}

  /** Which kind of endpoint a request is for in this family, if any. */
  endpointOf(method: string, pathname: string): EndpointKind | undefined {
    return this.api.endpointOf(method, pathname);
  }

  protected async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (!this.api.isAuthorized(req.headers.authorization, this.apiKey)) {
      req.resume();
      return sendJson(res, 401, { code: '401', msg: 'invalid api key', data: null });
    }
    if (await this.api.handle(req, res, url)) return;
    req.resume();
    sendJson(res, 404, { code: '404', msg: `unknown endpoint ${req.method} ${url.pathname}`, data: null });
  }

  private later(delayMs: number, action: () => Promise<unknown>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action()
        .catch(() => undefined)
        .finally(() => this.saveState());
    }, delayMs);
    this.timers.add(timer);
  }
}
