/**
 * The successor family's pictures and live streams, as the simulator serves them
 * (docs/memories-api.md §2.6, §2.12, §2.15):
 *  - `upload_img` (repeated `files`, image/* only, 20 MB each) answers `data: [{id}]`, ids being
 *    JSON numbers above 2^53, as MAVI writes them (§1.7);
 *  - `search` with `search_type=BY_IMAGE` answers `{current_page, page_size, total_count, item}`;
 *  - `search_similar_images` answers a list of look-alikes (the same bytes score 1);
 *  - `search_clips_by_image` answers the moments of one video (`start_time`, `end_time`, `score`);
 *  - `/v1/understand/streamConnect` starts a task that POSTs a result to its callback every
 *    `liveResultIntervalMs`, at most 4 at once per key (code 16 beyond); `stop/{task_id}`
 *    answers status 14.
 *
 * The stream URL, a fake `rtmp://` one, says how the stream behaves: a path with `/silent`
 * sends nothing, `/garbled` sends bodies that are not JSON, `/ends-after-3` stops after three
 * results (as when credits run out), and `?envelope=code` answers the start in the usual
 * `{code, data}` envelope (the pages disagree on which it is).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'undici';
import { readJson, readUpload } from './read-upload.js';
import { sendJson, type SimulatorCore } from './simulated-api.js';
import { envelopeWithJson } from './v1-envelope.js';

/** "≤20 MB" per picture. */
const MAX_IMAGE_BYTES = 20_000_000;
/** MAVI's streams per key. */
const MAX_LIVE_TASKS = 4;
/** Ids above 2^53, as MAVI's image ids are (e.g. 671631448308117500). */
const FIRST_IMAGE_ID = 671631448308117500n;

export interface SimulatedImage {
  id: string;
  name: string;
  partition: string;
  sha256: string;
  bytes: number;
  contentType: string;
}

export interface LiveTask {
  taskId: string;
  url: string;
  prompt: string;
  callback: string;
  running: boolean;
  /** Results posted, and what the gateway answered to each. */
  posted: number[];
}

export class SimulatedPictures {
  readonly images = new Map<string, SimulatedImage>();
  readonly liveTasks = new Map<string, LiveTask>();
  /** Every video_no a clip-by-image search named (so tests can see what reached MAVI). */
  readonly clipSearches: string[] = [];
  private nextImage = FIRST_IMAGE_ID;
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly simulator: SimulatorCore,
    private readonly liveResultIntervalMs: number,
  ) {}

  async uploadImage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const read = await readUpload(this.simulator, req).catch(() => undefined);
    if (!read) return envelopeWithJson(res, '0001', 'incomplete multipart body');
    const files = read.files.filter((file) => file.field === 'files');
    if (files.length === 0) return envelopeWithJson(res, '0001', 'files is required');
    for (const file of files) {
      if (!file.contentType.startsWith('image/')) return envelopeWithJson(res, '0001', 'files must be image/* parts');
      if (file.bytes === 0 || file.bytes > MAX_IMAGE_BYTES)
        return envelopeWithJson(res, '0001', 'each file must be 1 byte to 20 MB');
    }
    const partition = read.fields.unique_id ?? 'default';
    const ids = files.map((file) => {
      const id = String((this.nextImage += 7n));
      this.images.set(id, {
        id,
        name: file.fileName,
        partition,
        sha256: file.sha256,
        bytes: file.bytes,
        contentType: file.contentType,
      });
      return id;
    });
    // Written by hand: the ids are JSON numbers, as MAVI writes them, not strings.
    envelopeWithJson(res, '0000', 'success', `[${ids.map((id) => `{"id":${id}}`).join(',')}]`);
  }

  /** search with search_type=BY_IMAGE: the partition's pictures whose names share a word with the query rank first. */
  searchByText(body: { search_param: string; unique_id?: unknown; top_k?: unknown }, res: ServerResponse): void {
    const partition = typeof body.unique_id === 'string' ? body.unique_id : 'default';
    const topK = typeof body.top_k === 'number' ? body.top_k : 10;
    const words = body.search_param.toLowerCase().split(/\W+/).filter(Boolean);
    const hits = [...this.images.values()]
      .filter((image) => image.partition === partition)
      .map((image) => ({ image, score: words.some((word) => image.name.toLowerCase().includes(word)) ? 0.9 : 0.2 }))
      .sort((a, b) => b.score - a.score)
      .slice(0, topK);
    const items = hits.map(({ image, score }) => itemJson(image, score)).join(',');
    envelopeWithJson(
      res,
      '0000',
      'success',
      `{"current_page":1,"page_size":${topK},"total_count":${hits.length},"item":[${items}]}`,
    );
  }

  /** search_similar_images: the partition's pictures with their likeness to the query (the same bytes: 1), at least `similarity`. */
  async searchSimilar(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const read = await readUpload(this.simulator, req).catch(() => undefined);
    const file = read?.file;
    if (!read || !file) return envelopeWithJson(res, '0001', 'file is required');
    if (!file.contentType.startsWith('image/') || file.bytes > MAX_IMAGE_BYTES)
      return envelopeWithJson(res, '0001', 'file must be an image of at most 20 MB');
    const partition = read.fields.unique_id ?? 'default';
    const similarity = Number(read.fields.similarity ?? '0');
    const items = [...this.images.values()]
      .filter((image) => image.partition === partition)
      .map((image) => ({ image, score: image.sha256 === file.sha256 ? 1 : 0.3 }))
      .filter(({ score }) => score >= similarity)
      .sort((a, b) => b.score - a.score)
      .map(({ image, score }) => itemJson(image, score));
    envelopeWithJson(res, '0000', 'success', `[${items.join(',')}]`);
  }

  /** search_clips_by_image: two moments of the named video (any partition: the call names none). */
  async searchClips(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const read = await readUpload(this.simulator, req).catch(() => undefined);
    const file = read?.file;
    const videoNo = read?.fields.video_no;
    if (!read || !file || !videoNo || !read.fields.prompt)
      return envelopeWithJson(res, '0001', 'file, video_no and prompt are required');
    if (!file.contentType.startsWith('image/') || file.bytes > MAX_IMAGE_BYTES)
      return envelopeWithJson(res, '0001', 'file must be an image of at most 20 MB');
    this.clipSearches.push(videoNo);
    const video = this.simulator.videos.get(videoNo);
    if (!video) return envelopeWithJson(res, '0001', 'video not found');
    const score = 0.5 + (parseInt(file.sha256.slice(0, 2), 16) / 255) * 0.4;
    envelopeWithJson(
      res,
      '0000',
      'success',
      JSON.stringify([
        { start_time: '1.5', end_time: '3', score: Number(score.toFixed(3)) },
        { start_time: 5, end_time: 6.5, score: Number((score / 2).toFixed(3)) },
      ]),
    );
  }

  async streamConnect(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readJson(req)) as
      | { url?: unknown; user_prompt?: unknown; system_prompt?: unknown; callback?: unknown; thinking?: unknown }
      | undefined;
    if (typeof body?.url !== 'string' || !/^rtmps?:\/\//.test(body.url))
      return sendJson(res, 200, { status: 1, msg: 'url must be an RTMP URL' });
    if (typeof body.user_prompt !== 'string' || body.user_prompt === '')
      return sendJson(res, 200, { status: 1, msg: 'user_prompt is required' });
    if (typeof body.callback !== 'string' || !/^https?:\/\//.test(body.callback))
      return sendJson(res, 200, { status: 1, msg: 'callback is required' });
    const running = [...this.liveTasks.values()].filter((task) => task.running).length;
    if (running >= MAX_LIVE_TASKS) return sendJson(res, 200, { status: 16, msg: 'stream processing capacity reached' });
    const taskId = `stream_${this.liveTasks.size + 1}_${Date.now()}`;
    const task: LiveTask = {
      taskId,
      url: body.url,
      prompt: body.user_prompt,
      callback: body.callback,
      running: true,
      posted: [],
    };
    this.liveTasks.set(taskId, task);
    this.scheduleResults(task);
    if (new URL(body.url).searchParams.get('envelope') === 'code') {
      return sendJson(res, 200, { code: '0000', msg: 'success', data: { task_id: taskId } });
    }
    sendJson(res, 200, { status: 0, task_id: taskId });
  }

  streamStop(req: IncomingMessage, res: ServerResponse, url: URL): void {
    req.resume();
    const taskId = decodeURIComponent(url.pathname.slice(url.pathname.lastIndexOf('/') + 1));
    const task = this.liveTasks.get(taskId);
    if (!task) return sendJson(res, 200, { status: 4, msg: 'task not found' });
    this.stopTask(task);
    sendJson(res, 200, { status: 14, msg: 'stopped' });
  }

  stop(): void {
    for (const task of this.liveTasks.values()) this.stopTask(task);
  }

  private stopTask(task: LiveTask): void {
    task.running = false;
    clearTimeout(this.timers.get(task.taskId));
    this.timers.delete(task.taskId);
  }

  /** Posts a result to the task's callback every interval, as the stream's path says. */
  private scheduleResults(task: LiveTask): void {
    const path = new URL(task.url).pathname;
    if (path.includes('/silent')) return;
    const limit = path.includes('/ends-after-3') ? 3 : Infinity;
    const next = () => {
      const timer = setTimeout(() => {
        void this.postResult(task, path.includes('/garbled')).then(() => {
          if (!task.running) return;
          if (task.posted.length >= limit) return this.stopTask(task);
          next();
        });
      }, this.liveResultIntervalMs);
      this.timers.set(task.taskId, timer);
    };
    next();
  }

  private async postResult(task: LiveTask, garbled: boolean): Promise<void> {
    const sequence = task.posted.length + 1;
    const body = garbled
      ? `\u0000\u0001not json ${sequence}`
      : JSON.stringify({
          task_id: task.taskId,
          timestamp: Date.now(),
          data: { text: `Result ${sequence}: a person is at the door (${task.prompt.slice(0, 40)})`, frame: sequence },
        });
    try {
      const answer = await request(task.callback, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      await answer.body.dump();
      task.posted.push(answer.statusCode);
    } catch {
      task.posted.push(0);
    }
  }
}

function itemJson(image: SimulatedImage, score: number): string {
  // The id as a JSON number, as MAVI writes it (a plain JSON.parse would round it).
  return `{"id":${image.id},"name":${JSON.stringify(image.name)},"img_url":"https://example.invalid/${image.id}.img","score":${score}}`;
}
