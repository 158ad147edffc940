/**
 * The original MAVI API family (`/api/serve/video/*`, docs/mavi-api.md) as the
 * simulator serves it: `upload` (multipart, `callBackUri` in the query),
 * `uploadUrl`, `searchDB` (by upload-time window, paged), `searchAI`,
 * `searchVideoFragment`, streamed `chat` with a client-side `history`,
 * `subTranscription` (a task that calls back) and `getTranscription`, and
 * `DELETE delete`, each answering with the `{code, msg, data}` envelope; status
 * callbacks are `{videoNo, clientId, status}`. No partitions: every client's
 * videos are in one account, which is why the gateway filters what it passes on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { eighteenDigits, readIdList, readJson, readUpload, type ReceivedFile } from './read-upload.js';
import {
  routeTable,
  sendJson,
  type SimulatedApi,
  type SimulatedVideo,
  type SimulatorCore,
  type TranscriptionTask,
} from './simulated-api.js';
import { answerPieces, clipsOf, searchVideos, transcriptOf, writeEventStream } from './video-content.js';

/** A video as the original family lists it (searchDB, searchAI). */
const listed = (video: SimulatedVideo) => ({
  videoNo: video.videoNo,
  videoName: video.videoName,
  videoStatus: video.videoStatus,
  uploadTime: video.uploadTime,
  duration: String(video.duration),
});

const PREFIX = '/api/serve/video/';

export function originalApi(simulator: SimulatorCore): SimulatedApi {
  const endpoints = new OriginalEndpoints(simulator);
  return {
    // The original upload page and pymavi send the raw key; the Bearer form came with the O2O token flow.
    isAuthorized: (header, apiKey) => header === apiKey || header === `Bearer ${apiKey}`,
    ...routeTable(
      PREFIX,
      {
        'POST upload': 'upload',
        'POST uploadUrl': 'url-upload',
        'GET searchDB': 'status',
        'DELETE delete': 'delete',
        'POST searchAI': 'search',
        'POST searchVideoFragment': 'search',
        'POST chat': 'chat',
        'POST subTranscription': 'transcript',
        'GET getTranscription': 'transcript',
      },
      {
        upload: (req, res, url) => endpoints.upload(req, res, url),
        'url-upload': (req, res, url) => endpoints.uploadUrl(req, res, url),
        status: (_req, res, url) => endpoints.searchDb(res, url),
        delete: (req, res) => endpoints.deleteVideos(req, res),
        search: (req, res, url) => endpoints.search(req, res, url),
        chat: (req, res) => endpoints.chat(req, res),
        transcript: (req, res, url) => endpoints.transcription(req, res, url),
      },
    ),
    callbackBody: (video, status) => ({ videoNo: video.videoNo, clientId: 'd7a7427b502df6c8e31de003675b7b77', status }),
    // "The content inside data" of getTranscription (memories-api.md §3); sent bare.
    transcriptionBody: (task) => endpoints.taskData(task),
  };
}

/** The original family's endpoints, as its pages document them (memories-api.md §1). */
class OriginalEndpoints {
  constructor(private readonly simulator: SimulatorCore) {}

  async upload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let received: ReceivedFile | undefined;
    try {
      received = (await readUpload(this.simulator, req)).file;
    } catch {
      // The body broke off (the sender aborted, or it was malformed): nothing is registered.
      if (!res.headersSent && !res.destroyed) envelope(res, 400, '400', 'incomplete multipart body');
      return;
    }
    if (!received) return envelope(res, 400, '400', 'the multipart part "file" is required');

    const answer = await this.simulator.registerUpload(`mavi_video_${eighteenDigits()}`, received, {
      callbackUri: url.searchParams.get('callBackUri') ?? undefined,
      fields: {},
    });
    envelope(res, 200, '0000', 'success', answer);
  }

  searchDb(res: ServerResponse, url: URL): void {
    const q = url.searchParams;
    const startTime = Number(q.get('startTime') ?? 0);
    const endTime = Number(q.get('endTime') ?? Number.MAX_SAFE_INTEGER);
    const status = q.get('videoStatus');
    const name = q.get('videoName');
    const page = Math.max(1, Number(q.get('page') ?? 1));
    const pageSize = Math.min(200, Math.max(1, Number(q.get('pageSize') ?? 20)));
    const matching = [...this.simulator.videos.values()].filter(
      (video) =>
        Number(video.uploadTime) >= startTime &&
        Number(video.uploadTime) <= endTime &&
        (!status || video.videoStatus === status) &&
        (!name || video.videoName.includes(name)),
    );
    const rows = matching.slice((page - 1) * pageSize, page * pageSize).map(listed);
    envelope(res, 200, '0000', 'success', { page, current: page, total: matching.length, pageSize, videoData: rows });
  }

  /** A JSON array of videoNos; code 409 when one is already gone, as MAVI does. */
  async deleteVideos(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const videoNos = await readIdList(req, 500);
    if (!videoNos) return envelope(res, 400, '400', 'the body must be a JSON array of at most 500 videoNo');
    const missing = videoNos.filter((videoNo) => !this.simulator.videos.has(videoNo));
    for (const videoNo of videoNos) this.simulator.videos.delete(videoNo);
    if (missing.length > 0) return envelope(res, 200, '409', `already deleted: ${missing.join(', ')}`);
    envelope(res, 200, '0000', 'success');
  }

  async uploadUrl(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = (await readJson(req)) as { url?: unknown } | undefined;
    if (typeof body?.url !== 'string' || !/^https?:\/\//.test(body.url)) {
      return envelope(res, 200, '0001', 'url is required');
    }
    const answer = await this.simulator.registerUrlUpload(`mavi_video_${eighteenDigits()}`, body.url, {
      callbackUri: url.searchParams.get('callBackUri') ?? undefined,
      fields: {},
    });
    envelope(res, 200, '0000', 'success', { videoNo: answer.videoNo, videoName: answer.videoName });
  }

  /** searchAI ranks whole videos; searchVideoFragment finds moments. Both search the whole account. */
  async search(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = (await readJson(req)) as { searchValue?: unknown; videoNos?: unknown; limit?: unknown } | undefined;
    if (typeof body?.searchValue !== 'string' || body.searchValue === '') {
      return envelope(res, 200, '0001', 'searchValue is required');
    }
    const limit = typeof body.limit === 'number' && body.limit > 0 ? body.limit : 50;
    const hits = searchVideos(this.simulator.videos.values(), body.searchValue);
    if (url.pathname.endsWith('searchAI')) {
      const videos = hits.slice(0, limit).map(({ video }) => listed(video));
      return envelope(res, 200, '0000', 'success', { videos });
    }
    const only =
      Array.isArray(body.videoNos) && body.videoNos.length > 0 ? new Set(body.videoNos.map(String)) : undefined;
    const videos = hits
      .filter((hit) => !only || only.has(hit.video.videoNo))
      .flatMap(clipsOf)
      .sort((a, b) => b.score - a.score)
      .slice(0, limit)
      .map((clip) => ({
        ...listed(clip.video),
        fragmentStartTime: String(clip.startTime),
        fragmentEndTime: String(clip.endTime),
      }));
    envelope(res, 200, '0000', 'success', { videos });
  }

  /** Streams the answer as envelopes of text pieces; the turn counts the history sent. */
  async chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readJson(req)) as
      { videoNos?: unknown; message?: unknown; history?: unknown; stream?: unknown } | undefined;
    if (!body || !Array.isArray(body.videoNos) || typeof body.message !== 'string' || !Array.isArray(body.history)) {
      return envelope(res, 200, '0001', 'videoNos, message and history are required');
    }
    const videos = body.videoNos.map((videoNo) => this.simulator.videos.get(String(videoNo)));
    if (videos.some((video) => video?.videoStatus !== 'PARSE')) {
      return envelope(res, 200, '0001', 'every video must exist and be parsed');
    }
    const { pieceDelayMs, extraPieces } = this.simulator.chatOptions;
    const pieces = answerPieces(videos as SimulatedVideo[], body.message, body.history.length + 1, extraPieces);
    const payloads = (function* () {
      for (const msg of pieces) yield { code: '0000', msg: 'success', data: { msg } };
    })();
    await writeEventStream(res, payloads, pieceDelayMs, this.simulator.chatStreams);
  }

  /** subTranscription starts a task (its callback follows); getTranscription reads it. */
  async transcription(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (url.pathname.endsWith('getTranscription')) {
      req.resume();
      const task = this.simulator.transcriptionTasks.get(url.searchParams.get('taskNo') ?? '');
      if (!task) return envelope(res, 200, '0001', 'unknown taskNo');
      return envelope(res, 200, '0000', 'success', this.taskData(task));
    }
    const body = (await readJson(req)) as { videoNo?: unknown; type?: unknown; callBackUri?: unknown } | undefined;
    const video = this.simulator.videos.get(String(body?.videoNo));
    if (!video || (body?.type !== 'AUDIO' && body?.type !== 'VIDEO')) {
      return envelope(res, 200, '0001', 'videoNo and type (AUDIO or VIDEO) are required');
    }
    const callbackUri = typeof body.callBackUri === 'string' ? body.callBackUri : undefined;
    const taskNo = this.simulator.startTranscription(video, body.type, callbackUri);
    await this.simulator.beforeAnswer(); // where a test makes the callback beat the answer
    envelope(res, 200, '0000', 'success', { taskNo });
  }

  taskData(task: TranscriptionTask) {
    const video = this.simulator.videos.get(task.videoNo);
    return {
      taskNo: task.taskNo,
      status: task.finished ? 'FINISH' : 'UNFINISHED',
      type: task.type,
      videoNo: task.videoNo,
      transcriptions:
        task.finished && video
          ? transcriptOf(video, task.type).map(({ index, ...segment }) => ({ id: index, ...segment }))
          : [],
    };
  }
}

/** MAVI's answer envelope in this family's shape. */
function envelope(res: ServerResponse, httpStatus: number, code: string, msg: string, data: unknown = null): void {
  sendJson(res, httpStatus, { code, msg, data });
}
