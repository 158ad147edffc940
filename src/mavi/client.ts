/**
 * The upstream: one function per MAVI endpoint the gateway uses, all over undici.
 * The API key goes into the Authorization header and nowhere else: it is never
 * part of an error, a log field or a URL.
 */
import type { Readable } from 'node:stream';
import { Agent, request, errors as undiciErrors, type Dispatcher } from 'undici';
import { MaviError, maviErrorFromAnswer } from './errors.js';
import { multipartFileBody } from './multipart-body.js';
import type { MaviEnvelope, MaviUploadedVideo, MaviVideoPage, VideoStatus } from './types.js';
import { isVideoStatus } from './types.js';

const API_PREFIX = '/api/serve/video';

export interface MaviClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Time allowed for MAVI's answer headers after the whole request was sent. */
  headersTimeoutMs?: number;
  /** Longest silence while reading MAVI's answer body. */
  bodyTimeoutMs?: number;
  connectTimeoutMs?: number;
}

export interface UploadInput {
  /** The file's bytes, read as MAVI takes them. */
  file: AsyncIterable<Uint8Array>;
  fileName: string;
  contentType: string;
  /** The file's exact size, to send a Content-Length instead of a chunked body; a wrong size aborts the request. */
  fileSize?: number;
  /** Where MAVI POSTs status changes; omitted when MAVI cannot reach the gateway. */
  callbackUrl: string | undefined;
}

export interface ListVideosQuery {
  startTime: number;
  endTime: number;
  page: number;
  pageSize: number;
  videoStatus?: VideoStatus;
}

export interface MaviClient {
  uploadVideo(input: UploadInput): Promise<MaviUploadedVideo>;
  listVideos(query: ListVideosQuery, signal?: AbortSignal): Promise<MaviVideoPage>;
  /** Deletes videos (at most 500 per call). */
  deleteVideos(videoNos: string[]): Promise<void>;
  close(): Promise<void>;
}

interface CallInit {
  method: 'GET' | 'POST' | 'DELETE';
  headers?: Record<string, string>;
  body?: AsyncIterable<Uint8Array> | string;
  query?: Record<string, string>;
  signal?: AbortSignal;
}

export function createMaviClient(options: MaviClientOptions): MaviClient {
  const dispatcher = new Agent({
    headersTimeout: options.headersTimeoutMs ?? 120_000,
    bodyTimeout: options.bodyTimeoutMs ?? 30_000,
    connect: { timeout: options.connectTimeoutMs ?? 10_000 },
  });
  const authorization = options.apiKey;

  async function call<Data>(path: string, init: CallInit): Promise<Data> {
    const url = new URL(`${options.baseUrl}${API_PREFIX}/${path}`);
    for (const [name, value] of Object.entries(init.query ?? {})) url.searchParams.set(name, value);

    let answer: Dispatcher.ResponseData;
    try {
      answer = await request(url, {
        method: init.method,
        // undici streams any async iterable body; its typings only list Readable.
        body: init.body as Readable | string | undefined,
        signal: init.signal,
        dispatcher,
        headers: { ...init.headers, authorization },
      });
    } catch (error) {
      throw transportError(error, init.signal);
    }

    let text: string;
    try {
      text = await answer.body.text();
    } catch (error) {
      throw transportError(error, init.signal);
    }
    const envelope = parseEnvelope(text);
    const failure = maviErrorFromAnswer(answer.statusCode, envelope);
    if (failure) throw failure;
    return (envelope as MaviEnvelope<Data>).data;
  }

  return {
    async uploadVideo(input) {
      const { contentType, body, contentLength } = multipartFileBody(
        'file',
        input.fileName,
        input.contentType,
        input.file,
        input.fileSize,
      );
      const headers: Record<string, string> = { 'content-type': contentType };
      if (contentLength !== undefined) headers['content-length'] = String(contentLength);
      const data = await call<unknown>('upload', {
        method: 'POST',
        headers,
        body,
        query: input.callbackUrl ? { callBackUri: input.callbackUrl } : {},
      });
      return validateUploadedVideo(data);
    },

    async listVideos(query, signal) {
      const params: Record<string, string> = {
        startTime: String(query.startTime),
        endTime: String(query.endTime),
        page: String(query.page),
        pageSize: String(query.pageSize),
      };
      if (query.videoStatus) params.videoStatus = query.videoStatus;
      const data = await call<MaviVideoPage>('searchDB', { method: 'GET', query: params, signal });
      if (!data || !Array.isArray(data.videoData)) {
        throw new MaviError('MAVI_UNAVAILABLE', 'MAVI answered searchDB without a videoData list.');
      }
      return data;
    },

    async deleteVideos(videoNos) {
      await call<unknown>('delete', {
        method: 'DELETE',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(videoNos),
      });
    },

    close: () => dispatcher.close(),
  };
}

function parseEnvelope(text: string): { code?: unknown; msg?: unknown; data?: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

function validateUploadedVideo(data: unknown): MaviUploadedVideo {
  const video = data as Partial<MaviUploadedVideo> | null;
  if (
    !video ||
    typeof video.videoNo !== 'string' ||
    video.videoNo === '' ||
    typeof video.videoName !== 'string' ||
    !isVideoStatus(video.videoStatus) ||
    !/^\d+$/.test(String(video.uploadTime))
  ) {
    throw new MaviError('MAVI_UNAVAILABLE', 'MAVI answered the upload with an incomplete video record.');
  }
  return { ...video, uploadTime: String(video.uploadTime) } as MaviUploadedVideo;
}

/** A failure before MAVI answered. A caller's own abort stays an abort; everything else is "unavailable". */
function transportError(error: unknown, signal: AbortSignal | null | undefined): unknown {
  if (signal?.aborted) return signal.reason ?? error;
  if (error instanceof MaviError) return error;
  const reason =
    error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError
      ? 'MAVI did not answer in time.'
      : 'The connection to MAVI failed.';
  return new MaviError('MAVI_UNAVAILABLE', reason, { cause: error });
}
