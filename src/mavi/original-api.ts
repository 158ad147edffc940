/**
 * The original MAVI API family, `{MAVI_BASE_URL}/api/serve/video/*`
 * (docs/mavi-api.md, docs/memories-api.md §3): multipart upload with the
 * callback address in the `callBackUri` query parameter; statuses looked up with
 * `searchDB`, which filters by upload time, so each video is searched in a window
 * around its uploadTime and overlapping windows are merged into one paged query;
 * `DELETE delete` with a JSON array of at most 500 ids. No partitions.
 */
import type {
  ChatPiece,
  ChatRequest,
  LookUpLimits,
  MaviApi,
  PendingVideo,
  TranscriptSegment,
  VideoDetails,
} from './api.js';
import { alreadyGone, hasMetadata, listOf, seconds, segmentsOf, uploadedVideo, urlUploadedVideo } from './answers.js';
import { refusal } from '../errors.js';
import { MaviError, maviErrorFromAnswer } from './errors.js';
import { eventStreamData } from './event-stream.js';
import type { CallInit, MaviHttp } from './http.js';
import { multipartFileBody } from './multipart-body.js';
import type { VideoStatus } from './types.js';
import type { VideoContainer } from './containers.js';

const PREFIX = '/api/serve/video/';
const ACCEPTED: readonly VideoContainer[] = ['mp4', 'quicktime', 'matroska', 'webm'];
const MAX_DELETE = 500;
/** searchDB's page size maximum (a test asks for smaller pages). */
const PAGE_SIZE = 200;
/** How far around a video's uploadTime to search (MAVI's clock decides both). */
const WINDOW_MS = 60_000;

interface ListedVideo {
  videoNo: string;
  videoStatus: string;
  duration?: unknown;
}

interface VideoPage {
  total: number;
  videoData: ListedVideo[];
}

export function originalApi(http: MaviHttp, statusOf: (raw: string) => VideoStatus): MaviApi {
  const api: MaviApi = {
    family: 'original',
    // The original family has no image library, picture search or live streams (docs/mavi-families.md).
    images: undefined,
    liveStreams: undefined,
    // No upload limit is documented: 4 GiB, a bound that real videos for this family stay under.
    capabilities: {
      searchesWholeAccount: true,
      clipScores: false,
      maxUploadBytes: 4 * 1024 ** 3,
      maxCallbackUrlChars: undefined,
    },

    refuseFile(fileName, container) {
      if (ACCEPTED.includes(container)) return undefined;
      return refusal(
        'UNSUPPORTED_MEDIA_TYPE',
        `The file "${fileName}" is an ${container.toUpperCase()} file; this MAVI takes MP4/MOV or Matroska/WebM videos.`,
      );
    },

    async uploadVideo(input) {
      const { contentType, body, contentLength } = multipartFileBody({
        fileField: 'file',
        fileName: input.fileName,
        fileContentType: input.declaredContentType || 'application/octet-stream',
        file: input.file,
        fileSize: input.fileSize,
      });
      const headers: Record<string, string> = { 'content-type': contentType };
      if (contentLength !== undefined) headers['content-length'] = String(contentLength);
      const data = await http.call<unknown>(`${PREFIX}upload`, {
        method: 'POST',
        headers,
        body,
        upload: true,
        query: input.callbackUrl ? { callBackUri: input.callbackUrl } : {},
      });
      return uploadedVideo(data, statusOf);
    },

    async lookUpStatuses(videos, limits) {
      const found = new Map<string, VideoStatus>();
      await searchDb(http, videos, limits, (row) => found.set(row.videoNo, statusOf(String(row.videoStatus))));
      return found;
    },

    async lookUpDetails(videos, limits) {
      const found = new Map<string, VideoDetails>();
      await searchDb(http, videos, limits, (row) => found.set(row.videoNo, { durationSeconds: seconds(row.duration) }));
      return found;
    },

    async uploadVideoFromUrl(input) {
      // pymavi's uploadUrl (docs/memories-api.md §3): JSON {url}, the callback in the query.
      const data = await http.call<unknown>(`${PREFIX}uploadUrl`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: input.url }),
        query: input.callbackUrl ? { callBackUri: input.callbackUrl } : {},
      });
      return urlUploadedVideo(data, statusOf);
    },

    refuseMetadata(metadata) {
      if (!hasMetadata(metadata)) return undefined;
      return refusal(
        'INVALID_INPUT',
        'This MAVI (the original API family) takes no upload metadata: leave out tags, capturedAt, cameraModel, location and transcriptionPrompt.',
      );
    },

    async searchVideos(query, _partition, limit, signal) {
      const data = await http.call<{ videos?: { videoNo?: unknown }[] }>(`${PREFIX}searchAI`, {
        ...jsonPost({ searchValue: query, limit }),
        signal,
      });
      return listOf(data?.videos, 'searchAI')
        .slice(0, limit) // MAVI may answer more than asked: no work beyond what the caller can get
        .filter((video) => typeof video.videoNo === 'string')
        .map((video) => ({ videoNo: String(video.videoNo), score: undefined }));
    },

    async searchClips(search) {
      const data = await http.call<{ videos?: Fragment[] }>(`${PREFIX}searchVideoFragment`, {
        ...jsonPost({ videoNos: search.videoNos, searchValue: search.query, limit: search.limit }),
        signal: search.signal,
      });
      return listOf(data?.videos, 'searchVideoFragment')
        .slice(0, search.limit)
        .flatMap((fragment) => {
          const startSeconds = seconds(fragment.fragmentStartTime);
          const endSeconds = seconds(fragment.fragmentEndTime);
          if (typeof fragment.videoNo !== 'string' || startSeconds === undefined || endSeconds === undefined) return [];
          return [{ videoNo: fragment.videoNo, startSeconds, endSeconds, score: undefined }];
        });
    },

    chat: (request) => chatStream(http, request),

    transcripts: {
      mode: 'task',
      async start(videoNo, kind, callbackUrl) {
        // The docs spell it callBackURI, pymavi switched to callBackUri: both are sent (memories-api.md §3).
        const data = await http.call<{ taskNo?: unknown }>(
          `${PREFIX}subTranscription`,
          jsonPost({
            videoNo,
            type: kind === 'SPEECH' ? 'AUDIO' : 'VIDEO',
            callBackUri: callbackUrl,
            callBackURI: callbackUrl,
          }),
        );
        if (typeof data?.taskNo !== 'string' && typeof data?.taskNo !== 'number') {
          throw new MaviError('MAVI_UNAVAILABLE', 'MAVI answered subTranscription without a taskNo.');
        }
        return String(data.taskNo);
      },
      async fetch(taskNo, signal) {
        const data = await http.call<TranscriptionTask>(`${PREFIX}getTranscription`, {
          method: 'GET',
          query: { taskNo },
          signal,
        });
        return finishedSegments(data);
      },
    },

    deleteVideos: (videoNos) => deleteVideos(http, videoNos),

    close: () => http.close(),
  };
  return api;
}

/** Every searchDB row for the videos' windows, within the limits, given to `onRow`. */
async function searchDb(
  http: MaviHttp,
  videos: readonly PendingVideo[],
  { maxRequests, pageSize = PAGE_SIZE, signal }: LookUpLimits,
  onRow: (row: ListedVideo) => void,
): Promise<void> {
  let requests = 0;
  for (const window of mergeWindows(videos)) {
    const wanted = new Set(window.videoNos);
    for (let page = 1; wanted.size > 0; page += 1) {
      if (requests >= maxRequests) return;
      requests += 1;
      const result = await http.call<VideoPage>(`${PREFIX}searchDB`, {
        method: 'GET',
        query: {
          startTime: String(window.start),
          endTime: String(window.end),
          page: String(page),
          pageSize: String(pageSize),
        },
        signal,
      });
      if (!result || !Array.isArray(result.videoData)) {
        throw new MaviError('MAVI_UNAVAILABLE', 'MAVI answered searchDB without a videoData list.');
      }
      for (const row of result.videoData) if (wanted.delete(row.videoNo)) onRow(row);
      if (result.videoData.length < pageSize || page * pageSize >= result.total) break;
    }
  }
}

/** The chat's answer, streamed as envelopes each holding one piece (memories-api.md §3). */
async function* chatStream(http: MaviHttp, request: ChatRequest): AsyncGenerator<ChatPiece> {
  const body = await http.stream(
    `${PREFIX}chat`,
    jsonPost({
      videoNos: request.videoNos,
      message: request.message,
      history: request.history.map((turn) => ({ user: turn.user, robot: turn.assistant })),
      stream: true,
    }),
    request.signal,
  );
  // Each line is an envelope holding one piece of the answer; the stream ends with the body.
  // A line that is no envelope (no code: a keep-alive, an empty list) carries no piece: skipped.
  for await (const data of eventStreamData(body)) {
    if (!isEnvelope(data)) continue;
    const envelope = data as { code?: unknown; msg?: unknown; data?: { msg?: unknown } };
    const failure = maviErrorFromAnswer(200, envelope);
    if (failure) throw failure;
    if (typeof envelope.data?.msg === 'string' && envelope.data.msg !== '') {
      yield { kind: 'text', text: envelope.data.msg };
    }
  }
}

/** `delete`, at most MAX_DELETE ids a call; ids already gone count as deleted. */
async function deleteVideos(http: MaviHttp, videoNos: readonly string[]): Promise<void> {
  for (let at = 0; at < videoNos.length; at += MAX_DELETE) {
    await http.call(
      `${PREFIX}delete`,
      {
        method: 'DELETE',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(videoNos.slice(at, at + MAX_DELETE)),
      },
      alreadyGone,
    );
  }
}

interface Fragment {
  videoNo?: unknown;
  fragmentStartTime?: unknown;
  fragmentEndTime?: unknown;
}

interface TranscriptionTask {
  status?: unknown;
  transcriptions?: { startTime?: unknown; endTime?: unknown; content?: unknown }[];
}

/** A task's segments once it is finished (FINISH in the docs, FINISHED in pymavi), else undefined. */
function finishedSegments(task: TranscriptionTask | null | undefined): TranscriptSegment[] | undefined {
  if (!task || !/^FINISH(ED)?$/i.test(String(task.status))) return undefined;
  return segmentsOf(task.transcriptions);
}

const jsonPost = (body: unknown): CallInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

interface Window {
  start: number;
  end: number;
  videoNos: string[];
}

/** One searchDB window per cluster of upload times. */
function mergeWindows(videos: readonly PendingVideo[]): Window[] {
  const sorted = [...videos].sort((a, b) => a.uploadTime - b.uploadTime);
  const windows: Window[] = [];
  for (const video of sorted) {
    const last = windows.at(-1);
    if (last && video.uploadTime - WINDOW_MS <= last.end) {
      last.end = video.uploadTime + WINDOW_MS;
      last.videoNos.push(video.videoNo);
    } else {
      windows.push({
        start: video.uploadTime - WINDOW_MS,
        end: video.uploadTime + WINDOW_MS,
        videoNos: [video.videoNo],
      });
    }
  }
  return windows;
}

/** A JSON object with a `code`: the only shape of line that carries a piece or a refusal. */
function isEnvelope(data: unknown): boolean {
  return data !== null && typeof data === 'object' && !Array.isArray(data) && 'code' in data;
}
