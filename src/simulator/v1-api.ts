/**
 * The successor family at memories.ai (`/serve/api/v1/*`, docs/memories-api.md
 * §2) as the simulator serves it, checking what the real one documents: the raw
 * key (no "Bearer"), form fields before the file, a `unique_id` partition (default
 * "default"), `.mp4 .avi .mkv .mov` only, a `video/*` file part, a size limit, a
 * callback address of at most 299 characters. `get_metadata` answers one video of
 * one partition (`data: null` otherwise); `delete_videos` is idempotent within a
 * partition. Callbacks are `{videoNo, status}`; ids `VI` + 18 digits.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { eighteenDigits, readIdList, readJson, readText, readUpload } from './read-upload.js';
import {
  routeTable,
  type SimulatedApi,
  type SimulatedVideo,
  type SimulatorCore,
  type UploadAnswer,
} from './simulated-api.js';
import { envelope } from './v1-envelope.js';
import type { SimulatedPictures } from './v1-pictures.js';
import { answerPieces, clipsOf, searchVideos, transcriptOf, writeEventStream } from './video-content.js';

const PREFIX = '/serve/api/v1/';
const EXTENSIONS = ['.mp4', '.avi', '.mkv', '.mov'];

/** The stream host's paths (§2.15); the simulator serves them on its one address. */
const STREAM_PREFIX = '/v1/understand/';

export function v1Api(simulator: SimulatorCore, maxUploadBytes: number, pictures: SimulatedPictures): SimulatedApi {
  const endpoints = new V1Endpoints(simulator, maxUploadBytes, pictures);
  const api = routeTable(
    PREFIX,
    {
      'POST upload': 'upload',
      'POST upload_url': 'url-upload',
      'GET get_metadata': 'status',
      'POST delete_videos': 'delete',
      'POST search': 'search',
      'POST chat_stream': 'chat',
      'GET get_audio_transcription': 'transcript',
      'GET get_video_caption': 'transcript',
      'POST upload_img': 'image',
      'POST search_similar_images': 'image',
      'POST search_clips_by_image': 'image',
    },
    {
      upload: (req, res) => endpoints.upload(req, res),
      'url-upload': (req, res) => endpoints.uploadUrl(req, res),
      status: (_req, res, url) => endpoints.getMetadata(res, url),
      delete: (req, res, url) => endpoints.deleteVideos(req, res, url),
      search: (req, res) => endpoints.search(req, res),
      chat: (req, res) => endpoints.chat(req, res),
      transcript: (req, res, url) => endpoints.transcription(req, res, url),
      image: (req, res, url) => {
        if (url.pathname.endsWith('upload_img')) return pictures.uploadImage(req, res);
        if (url.pathname.endsWith('search_similar_images')) return pictures.searchSimilar(req, res);
        return pictures.searchClips(req, res);
      },
      live: () => undefined,
    },
  );
  const isStreamRoute = (method: string, pathname: string) =>
    method === 'POST' &&
    (pathname === `${STREAM_PREFIX}streamConnect` || /^\/v1\/understand\/stop\/[^/]+$/.test(pathname));
  return {
    isAuthorized: (header, apiKey) => header === apiKey,
    endpointOf: (method, pathname) => (isStreamRoute(method, pathname) ? 'live' : api.endpointOf(method, pathname)),
    async handle(req, res, url) {
      if (!isStreamRoute(req.method ?? '', url.pathname)) return api.handle(req, res, url);
      if (url.pathname.endsWith('streamConnect')) await pictures.streamConnect(req, res);
      else pictures.streamStop(req, res, url);
      return true;
    },
    callbackBody: (video, status) => ({ videoNo: video.videoNo, status }),
  };
}

/** The successor family's endpoints, as MAVI documents them (memories-api.md §2). */
class V1Endpoints {
  private readonly sessions = new Map<string, { partition: string; turns: number }>();

  constructor(
    private readonly simulator: SimulatorCore,
    private readonly maxUploadBytes: number,
    private readonly pictures: SimulatedPictures,
  ) {}

  async upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let received;
    try {
      received = await readUpload(this.simulator, req);
    } catch {
      if (!res.headersSent && !res.destroyed) envelope(res, '0001', 'incomplete multipart body');
      return;
    }
    const { file, fields, tags, order } = received;
    if (!file || file.bytes === 0) return envelope(res, '0001', 'file is required and must not be empty');
    if (order.indexOf('file') < order.length - 1) return envelope(res, '0001', 'form fields must come before the file');
    const extension = /\.[^.]*$/.exec(file.fileName.toLowerCase())?.[0] ?? '';
    if (!EXTENSIONS.includes(extension)) return envelope(res, '0001', `unsupported file extension ${extension}`);
    if (!file.contentType.startsWith('video/')) return envelope(res, '0001', 'the file must be a video/* part');
    if (file.bytes > this.maxUploadBytes) return envelope(res, '0001', `the file exceeds ${this.maxUploadBytes} bytes`);
    if (fields.unique_id === '') return envelope(res, '0001', 'unique_id must not be empty');
    const refusal = refuseFields(fields, tags);
    if (refusal) return envelope(res, '0001', refusal);

    const answer = await this.simulator.registerUpload(`VI${eighteenDigits()}`, file, registered(fields, tags));
    envelope(res, '0000', 'success', this.storedName(answer));
  }

  /** upload_url: form-urlencoded `url` and the upload's other fields (§2.2). */
  async uploadUrl(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      req.resume();
      return envelope(res, '0001', 'the body must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams((await readText(req)) ?? '');
    const url = form.get('url') ?? '';
    if (!/^https?:\/\//.test(url)) return envelope(res, '0001', 'url is required');
    const fields = Object.fromEntries(form);
    const tags = form.getAll('tags');
    const refusal = refuseFields(fields, tags);
    if (refusal) return envelope(res, '0001', refusal);
    const answer = await this.simulator.registerUrlUpload(`VI${eighteenDigits()}`, url, registered(fields, tags));
    envelope(res, '0000', 'success', this.storedName(answer));
  }

  /**
   * The answer as MAVI documents it: `videoName` is an internal stored name, not the client's
   * file name (memories-api.md §2.1), so a gateway that kept it would show names nobody gave.
   */
  storedName(answer: UploadAnswer): UploadAnswer {
    return { ...answer, videoName: `${answer.videoNo.toLowerCase()}_${Date.now()}.mp4` };
  }

  /** A processed video of the partition, or the reason there is none. */
  parsedVideo(videoNo: unknown, partition: string): SimulatedVideo | undefined {
    const video = this.simulator.videos.get(String(videoNo));
    return video && video.partition === partition && video.videoStatus === 'PARSE' ? video : undefined;
  }

  /** search: BY_CLIP (and BY_VIDEO, the same) within the partition, optionally within video_nos. */
  async search(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readJson(req)) as
      | { search_param?: unknown; search_type?: unknown; unique_id?: unknown; top_k?: unknown; video_nos?: unknown }
      | undefined;
    if (typeof body?.search_param !== 'string' || body.search_param === '') {
      return envelope(res, '0001', 'search_param is required');
    }
    if (body.search_type === 'BY_IMAGE') {
      return this.pictures.searchByText({ ...body, search_param: body.search_param }, res);
    }
    if (body.search_type !== undefined && body.search_type !== 'BY_CLIP' && body.search_type !== 'BY_VIDEO') {
      return envelope(res, '0001', 'the simulator searches BY_CLIP and BY_VIDEO only');
    }
    const partition = typeof body.unique_id === 'string' ? body.unique_id : 'default';
    const topK = typeof body.top_k === 'number' ? body.top_k : 10;
    if (topK < 1 || topK > 1000) return envelope(res, '0001', 'top_k must be 1 to 1000');
    const only = Array.isArray(body.video_nos) ? new Set(body.video_nos.map(String)) : undefined;
    const videos = [...this.simulator.videos.values()].filter(
      (video) => video.partition === partition && (!only || only.has(video.videoNo)),
    );
    const clips = searchVideos(videos, body.search_param)
      .flatMap(clipsOf)
      .sort((a, b) => b.score - a.score)
      .slice(0, topK)
      .map((clip) => ({
        videoNo: clip.video.videoNo,
        videoName: clip.video.videoName,
        startTime: String(clip.startTime),
        endTime: String(clip.endTime),
        score: clip.score,
      }));
    envelope(res, '0000', 'success', clips);
  }

  /** chat_stream: thinking, a reference per video, the answer's text, then "Done"; sessions kept here. */
  async chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readJson(req)) as
      { video_nos?: unknown; prompt?: unknown; session_id?: unknown; unique_id?: unknown } | undefined;
    if (!body || !Array.isArray(body.video_nos) || typeof body.prompt !== 'string' || body.prompt === '') {
      return envelope(res, '0001', 'video_nos and prompt are required');
    }
    const partition = typeof body.unique_id === 'string' ? body.unique_id : 'default';
    const videos = body.video_nos.map((videoNo) => this.parsedVideo(videoNo, partition));
    const { pieceDelayMs, extraPieces } = this.simulator.chatOptions;
    if (videos.some((video) => video === undefined)) {
      return writeEventStream(res, ['No videos found for the provided video numbers.'], 0, this.simulator.chatStreams);
    }
    let sessionId = typeof body.session_id === 'string' && body.session_id !== '' ? body.session_id : undefined;
    const session = sessionId === undefined ? undefined : this.sessions.get(sessionId);
    if (sessionId !== undefined && session?.partition !== partition) {
      return writeEventStream(res, ['Session not found.'], 0, this.simulator.chatStreams);
    }
    sessionId ??= `session-${this.sessions.size + 1}`;
    const turn = (session?.turns ?? 0) + 1;
    this.sessions.set(sessionId, { partition, turns: turn });
    const parsed = videos as SimulatedVideo[];
    const prompt = body.prompt;
    const payloads = (function* () {
      yield { type: 'thinking', title: 'Watching', content: `Looking through ${parsed.length} video(s).`, sessionId };
      yield {
        type: 'ref',
        sessionId,
        ref: parsed.map((video) => ({
          video: { video_no: video.videoNo, video_name: video.videoName, duration: String(video.duration) },
          refItems: [
            {
              videoNo: video.videoNo,
              type: 'visual_ts',
              startTime: '0',
              endTime: '4',
              text: `Opening of ${video.videoName}`,
            },
          ],
        })),
      };
      for (const content of answerPieces(parsed, prompt, turn, extraPieces)) {
        yield { type: 'content', role: 'assistant', content, sessionId };
      }
      yield 'Done';
    })();
    await writeEventStream(res, payloads, pieceDelayMs, this.simulator.chatStreams);
  }

  /** get_audio_transcription (speech) and get_video_caption (scenes): `data: null` until the video is parsed. */
  transcription(req: IncomingMessage, res: ServerResponse, url: URL): void {
    req.resume();
    const videoNo = url.searchParams.get('video_no');
    if (!videoNo) return envelope(res, '0001', 'video_no is required');
    const video = this.parsedVideo(videoNo, url.searchParams.get('unique_id') ?? 'default');
    if (!video) return envelope(res, '0000', 'success', null);
    const type = url.pathname.endsWith('get_audio_transcription') ? 'AUDIO' : 'VIDEO';
    envelope(res, '0000', 'success', {
      videoNo,
      transcriptions: transcriptOf(video, type),
      createTime: video.uploadTime,
    });
  }

  getMetadata(res: ServerResponse, url: URL): void {
    const videoNo = url.searchParams.get('video_no');
    if (!videoNo) return envelope(res, '0001', 'video_no is required');
    const video = this.simulator.videos.get(videoNo);
    const partition = url.searchParams.get('unique_id') ?? 'default';
    if (!video || video.partition !== partition) return envelope(res, '0000', 'success', null);
    envelope(res, '0000', 'success', {
      video_no: video.videoNo,
      video_name: video.videoName,
      duration: video.duration,
      size: video.bytes,
      status: video.videoStatus,
      create_time: Number(video.uploadTime),
      resolution_label: '720p',
      fps: 30,
      width: 1280,
      height: 720,
      ...(video.tags && video.tags.length > 0 ? { tags: video.tags } : {}),
      ...(video.fields.camera_model ? { camera_model: video.fields.camera_model } : {}),
    });
  }

  async deleteVideos(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const videoNos = await readIdList(req, 100);
    if (!videoNos) return envelope(res, '0001', 'the body must be a JSON array of at most 100 video ids');
    const partition = url.searchParams.get('unique_id') ?? 'default';
    for (const videoNo of videoNos) {
      // Another partition's video, or an unknown one: a silent no-op, as documented.
      if (this.simulator.videos.get(videoNo)?.partition === partition) this.simulator.videos.delete(videoNo);
    }
    envelope(res, '0000', 'success', null);
  }
}

/** What both uploads keep of their fields: the callback, the partition (default "default"), the fields, the tags. */
function registered(fields: Record<string, string>, tags: string[]) {
  return { callbackUri: fields.callback || undefined, partition: fields.unique_id ?? 'default', fields, tags };
}

/** The successor's checks of the upload fields both uploads share (§2.1, §2.13). */
function refuseFields(fields: Record<string, string>, tags: readonly string[]): string | undefined {
  if (fields.unique_id === '') return 'unique_id must not be empty';
  if ((fields.callback ?? '').length > 299) return 'callback is longer than 299 characters';
  if (tags.length > 20) return 'at most 20 tags';
  if ((fields.camera_model ?? '').length > 200) return 'camera_model is longer than 200 characters';
  if (fields.datetime_taken !== undefined && !/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(fields.datetime_taken)) {
    return 'datetime_taken must be yyyy-MM-dd HH:mm:ss';
  }
  if ((fields.latitude === undefined) !== (fields.longitude === undefined)) return 'latitude and longitude go together';
  return undefined;
}
