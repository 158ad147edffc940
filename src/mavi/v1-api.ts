/**
 * The successor family at memories.ai, `{MAVI_BASE_URL}/serve/api/v1/*`
 * (docs/memories-api.md §2): multipart upload whose form fields (`unique_id`,
 * `callback`) come before the file, a file part whose Content-Type must be
 * `video/*`, only `.mp4 .avi .mkv .mov` files, 3 GB at most; one video's status
 * from `GET get_metadata`; `POST delete_videos` with at most 100 ids and the
 * partition (`unique_id`) in the query, idempotent. Every call names the
 * client's partition, so MAVI keeps clients apart too. The size and
 * callback-length limits shape the configuration, so config.ts applies them
 * (MAX_UPLOAD_BYTES's default, PUBLIC_URL's length).
 */
import type {
  ChatPiece,
  ChatRequest,
  ClipHit,
  LookUpLimits,
  MaviApi,
  MaviLiveStreams,
  PendingVideo,
  UploadMetadata,
  VideoDetails,
  VideoHit,
} from './api.js';
import { containerMimeTypes, type VideoContainer } from './containers.js';
import type { MaviHttp } from './http.js';
import { multipartFileBody } from './multipart-body.js';
import { alreadyGone, listOf, seconds, segmentsOf, uploadedVideo, urlUploadedVideo } from './answers.js';
import { refusal, type Refusal } from '../errors.js';
import { MaviError, maviErrorFromAnswer } from './errors.js';
import { eventStreamData } from './event-stream.js';
import { v1Images } from './v1-images.js';
import type { VideoStatus } from './types.js';

const PREFIX = '/serve/api/v1/';
const ACCEPTED_EXTENSIONS = ['.mp4', '.avi', '.mkv', '.mov'];
const ACCEPTED_CONTAINERS: readonly VideoContainer[] = ['mp4', 'quicktime', 'matroska', 'avi'];
const MAX_DELETE = 100;

interface Metadata {
  video_no?: string;
  status?: string;
  duration?: unknown;
  size?: unknown;
  width?: unknown;
  height?: unknown;
  fps?: unknown;
}

export function v1Api(http: MaviHttp, statusOf: (raw: string) => VideoStatus, live: MaviLiveStreams): MaviApi {
  const api: MaviApi = {
    family: 'v1',
    images: v1Images(http),
    liveStreams: live,
    // "max 3 GB", read as 3 × 10^9, the smaller reading, so MAVI never refuses what passed the gateway;
    // callback addresses of at most 299 characters (docs/memories-api.md §2.1).
    capabilities: {
      searchesWholeAccount: false,
      clipScores: true,
      maxUploadBytes: 3_000_000_000,
      maxCallbackUrlChars: 299,
    },

    refuseFile(fileName, container) {
      const extension = /\.[^.]*$/.exec(fileName.toLowerCase())?.[0] ?? '';
      if (ACCEPTED_EXTENSIONS.includes(extension) && ACCEPTED_CONTAINERS.includes(container)) return undefined;
      const what = ACCEPTED_CONTAINERS.includes(container)
        ? `its name ends in "${extension}"`
        : `it is a ${container.toUpperCase()} file`;
      return refusal(
        'UNSUPPORTED_MEDIA_TYPE',
        `The file "${fileName}" cannot go to this MAVI: ${what}, and it takes only .mp4, .avi, .mkv and .mov files (MP4, AVI, Matroska, QuickTime).`,
      );
    },

    refuseMetadata,

    async uploadVideo(input) {
      const fields = uploadFields(input);
      const { contentType, body, contentLength } = multipartFileBody({
        fields,
        fileField: 'file',
        fileName: input.fileName,
        // MAVI checks that the part's type starts with video/: the sniffed container decides it.
        fileContentType: containerMimeTypes[input.container],
        file: input.file,
        fileSize: input.fileSize,
      });
      const headers: Record<string, string> = { 'content-type': contentType };
      if (contentLength !== undefined) headers['content-length'] = String(contentLength);
      const data = await http.call<unknown>(`${PREFIX}upload`, { method: 'POST', headers, body, upload: true });
      return uploadedVideo(data, statusOf);
    },

    async uploadVideoFromUrl(input) {
      // Form-urlencoded, not JSON (memories-api.md §2.2).
      const body = new URLSearchParams([['url', input.url], ...uploadFields(input)]).toString();
      const data = await http.call<unknown>(`${PREFIX}upload_url`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      return urlUploadedVideo(data, statusOf);
    },

    async lookUpStatuses(videos, limits) {
      const found = new Map<string, VideoStatus>();
      for (const [videoNo, metadata] of await getMetadata(http, videos, limits)) {
        if (typeof metadata.status === 'string') found.set(videoNo, statusOf(metadata.status));
      }
      return found;
    },

    async lookUpDetails(videos, limits) {
      const found = new Map<string, VideoDetails>();
      for (const [videoNo, metadata] of await getMetadata(http, videos, limits)) {
        found.set(videoNo, {
          durationSeconds: seconds(metadata.duration),
          sizeBytes: seconds(metadata.size),
          width: seconds(metadata.width),
          height: seconds(metadata.height),
          framesPerSecond: seconds(metadata.fps),
        });
      }
      return found;
    },

    searchVideos: (query, partition, limit, signal) => searchVideos(http, query, partition, limit, signal),

    async searchClips({ query, videoNos, limit, partition, signal }) {
      return search(
        http,
        {
          search_param: query,
          search_type: 'BY_CLIP',
          unique_id: partition,
          top_k: limit,
          ...(videoNos.length > 0 ? { video_nos: videoNos } : {}),
        },
        limit,
        signal,
      );
    },

    chat: (request) => chatStream(http, request),

    transcripts: {
      mode: 'read',
      async read(videoNo, kind, partition, signal) {
        // Speech from get_audio_transcription, scene descriptions from get_video_caption (§2.9).
        const endpoint = kind === 'SPEECH' ? 'get_audio_transcription' : 'get_video_caption';
        const data = await http.call<{ transcriptions?: [] } | null>(`${PREFIX}${endpoint}`, {
          method: 'GET',
          query: { video_no: videoNo, unique_id: partition },
          signal,
        });
        return data ? segmentsOf(data.transcriptions) : undefined;
      },
    },

    deleteVideos: (videoNos, partition) => deleteVideos(http, videoNos, partition),

    close: async () => {
      await http.close();
      await live.close();
    },
  };
  return api;
}

/** get_metadata for each video, within the limits; `data: null` (unknown to MAVI) is left out. */
async function getMetadata(
  http: MaviHttp,
  videos: readonly PendingVideo[],
  { maxRequests, signal }: LookUpLimits,
): Promise<Map<string, Metadata>> {
  const found = new Map<string, Metadata>();
  await Promise.all(
    videos.slice(0, maxRequests).map(async (video) => {
      const metadata = await http.call<Metadata | null>(`${PREFIX}get_metadata`, {
        method: 'GET',
        query: { video_no: video.videoNo, unique_id: video.partition },
        signal,
      });
      if (metadata && typeof metadata === 'object') found.set(video.videoNo, metadata);
    }),
  );
  return found;
}

/** MAVI's hits, at most `limit` of them read (MAVI may answer more than asked). */
async function search(
  http: MaviHttp,
  body: Record<string, unknown>,
  limit: number,
  signal?: AbortSignal,
): Promise<ClipHit[]> {
  const data = await http.call<SearchRow[]>(`${PREFIX}search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  return listOf(data, 'search')
    .slice(0, limit)
    .flatMap((row) => {
      const startSeconds = seconds(row.startTime);
      const endSeconds = seconds(row.endTime);
      if (typeof row.videoNo !== 'string' || startSeconds === undefined || endSeconds === undefined) return [];
      const score = typeof row.score === 'number' ? row.score : seconds(row.score);
      return [{ videoNo: row.videoNo, startSeconds, endSeconds, score }];
    });
}

/** Videos ranked by their best clip: BY_VIDEO is BY_CLIP at MAVI (§2.6), grouped here. */
async function searchVideos(
  http: MaviHttp,
  query: string,
  partition: string,
  limit: number,
  signal: AbortSignal | undefined,
): Promise<VideoHit[]> {
  // BY_VIDEO is BY_CLIP at MAVI (§2.6): the clips are grouped into videos, each ranked by its best clip.
  const topK = Math.min(1000, limit * 10);
  const clips = await search(
    http,
    { search_param: query, search_type: 'BY_VIDEO', unique_id: partition, top_k: topK },
    topK,
    signal,
  );
  const best = new Map<string, number | undefined>();
  for (const clip of clips) {
    const score = best.get(clip.videoNo);
    if (!best.has(clip.videoNo) || (clip.score ?? 0) > (score ?? 0)) best.set(clip.videoNo, clip.score);
  }
  return [...best]
    .map(([videoNo, score]) => ({ videoNo, score }))
    .sort((a, b) => (b.score ?? 0) - (a.score ?? 0))
    .slice(0, limit);
}

/** The chat's answer as MAVI streams it (§2.8): its session, then text and references, until "Done". */
async function* chatStream(http: MaviHttp, request: ChatRequest): AsyncGenerator<ChatPiece> {
  const body = await http.stream(
    `${PREFIX}chat_stream`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        video_nos: request.videoNos,
        prompt: request.message,
        unique_id: request.partition,
        ...(request.maviSessionId ? { session_id: request.maviSessionId } : {}),
      }),
    },
    request.signal,
  );
  let session: string | undefined;
  for await (const data of eventStreamData(body)) {
    const end = endOfStream(data);
    if (end === 'done') return;
    if (end !== undefined) throw new MaviError('MAVI_REJECTED', `MAVI ended the chat: ${end}`, { maviMsg: end });
    if (data === null || typeof data !== 'object') continue;
    if ('code' in data && !('type' in data)) {
      const failure = maviErrorFromAnswer(200, data);
      if (failure) throw failure;
    }
    const message = data as ChatMessage;
    const sessionId = message.sessionId ?? message.session_id;
    if ((typeof sessionId === 'string' || typeof sessionId === 'number') && String(sessionId) !== session) {
      session = String(sessionId);
      yield { kind: 'session', maviSessionId: session };
    }
    yield* piecesOf(message);
  }
  // Cut off before "Done": the answer is incomplete, whatever was streamed.
  throw new MaviError('MAVI_UNAVAILABLE', 'MAVI ended the chat stream before it was done.');
}

/** `delete_videos`, at most MAX_DELETE ids a call; ids already gone count as deleted. */
async function deleteVideos(http: MaviHttp, videoNos: readonly string[], partition: string): Promise<void> {
  for (let at = 0; at < videoNos.length; at += MAX_DELETE) {
    await http.call(
      `${PREFIX}delete_videos`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(videoNos.slice(at, at + MAX_DELETE)),
        query: { unique_id: partition },
      },
      alreadyGone,
    );
  }
}

interface SearchRow {
  videoNo?: unknown;
  startTime?: unknown;
  endTime?: unknown;
  score?: unknown;
}

interface ChatMessage {
  type?: unknown;
  sessionId?: unknown;
  session_id?: unknown;
  title?: unknown;
  content?: unknown;
  ref?: { refItems?: { videoNo?: unknown; startTime?: unknown; endTime?: unknown; text?: unknown }[] }[];
}

/** The typed messages of MAVI's chat stream (memories-api.md §2.8) as pieces; other types are skipped. */
function piecesOf(message: ChatMessage): ChatPiece[] {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  if (message.type === 'thinking')
    return [{ kind: 'thinking', title: text(message.title), content: text(message.content) }];
  if (message.type === 'content') return text(message.content) ? [{ kind: 'text', text: text(message.content) }] : [];
  if (message.type !== 'ref' || !Array.isArray(message.ref)) return [];
  return message.ref.flatMap((ref) =>
    (Array.isArray(ref.refItems) ? ref.refItems : []).flatMap((item): ChatPiece[] => {
      const startSeconds = seconds(item.startTime);
      if (typeof item.videoNo !== 'string' || startSeconds === undefined) return [];
      return [
        {
          kind: 'reference',
          videoNo: item.videoNo,
          startSeconds,
          endSeconds: seconds(item.endTime),
          text: typeof item.text === 'string' ? item.text : undefined,
        },
      ];
    }),
  );
}

/**
 * The stream's final message: "done" for `"Done"` (or `{code, data: "Done"}`, or
 * `[DONE]`), MAVI's reason for any other final string, undefined for a piece.
 */
function endOfStream(data: unknown): string | undefined {
  const final = typeof data === 'string' ? data : isEndObject(data) ? data.data : undefined;
  if (final === undefined) return undefined;
  return /^(\[)?done(\])?$/i.test(final.trim()) ? 'done' : final.slice(0, 200);
}

function isEndObject(data: unknown): data is { data: string } {
  return (
    data !== null &&
    typeof data === 'object' &&
    typeof (data as { data?: unknown }).data === 'string' &&
    !('type' in data)
  );
}

/** The successor's limits on upload metadata (memories-api.md §2.1, §2.13). */
const MAX_TAGS = 20;
const MAX_TAG_CHARS = 100;
const MAX_CAMERA_MODEL_CHARS = 200;
const MAX_PROMPT_CHARS = 2000;

function refuseMetadata(metadata: UploadMetadata): Refusal | undefined {
  const problem = metadataProblem(metadata);
  return problem === undefined ? undefined : refusal('INVALID_INPUT', problem);
}

function metadataProblem(metadata: UploadMetadata): string | undefined {
  const tags = metadata.tags ?? [];
  if (tags.length > MAX_TAGS) return `At most ${MAX_TAGS} tags are taken; got ${tags.length}.`;
  if (tags.some((tag) => tag.trim() === '' || tag.length > MAX_TAG_CHARS)) {
    return `Each tag must be 1 to ${MAX_TAG_CHARS} characters.`;
  }
  if ((metadata.cameraModel?.length ?? 0) > MAX_CAMERA_MODEL_CHARS) {
    return `cameraModel is at most ${MAX_CAMERA_MODEL_CHARS} characters.`;
  }
  if ((metadata.transcriptionPrompt?.length ?? 0) > MAX_PROMPT_CHARS) {
    return `transcriptionPrompt is at most ${MAX_PROMPT_CHARS} characters.`;
  }
  const location = metadata.location;
  if (location && !(Math.abs(location.latitude) <= 90 && Math.abs(location.longitude) <= 180)) {
    return 'location needs a latitude within ±90 and a longitude within ±180.';
  }
  return undefined;
}

/** The upload's form fields, before the file: partition, callback, then the metadata MAVI takes. */
function uploadFields(input: {
  partition: string;
  callbackUrl: string | undefined;
  metadata?: UploadMetadata;
}): [string, string][] {
  const fields: [string, string][] = [['unique_id', input.partition]];
  if (input.callbackUrl) fields.push(['callback', input.callbackUrl]);
  const metadata = input.metadata ?? {};
  // Repeated `tags` fields, as the Python sample sends a list (which forms MAVI takes is unknown, §5.8).
  for (const tag of metadata.tags ?? []) fields.push(['tags', tag]);
  if (metadata.capturedAt) fields.push(['datetime_taken', mysqlDateTime(metadata.capturedAt)]);
  if (metadata.cameraModel !== undefined) fields.push(['camera_model', metadata.cameraModel]);
  if (metadata.location) {
    fields.push(['latitude', String(metadata.location.latitude)], ['longitude', String(metadata.location.longitude)]);
  }
  if (metadata.transcriptionPrompt !== undefined) {
    fields.push(['video_transcription_prompt', metadata.transcriptionPrompt]);
  }
  return fields;
}

/** `yyyy-MM-dd HH:mm:ss`, in UTC (MAVI does not say which zone it assumes). */
function mysqlDateTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}
