/**
 * The original MAVI API family, `{MAVI_BASE_URL}/api/serve/video/*`
 * (shared/mavi-api.md, shared/memories-api.md §3): multipart upload with the
 * callback address in the `callBackUri` query parameter; statuses looked up with
 * `searchDB`, which filters by upload time, so each video is searched in a window
 * around its uploadTime and overlapping windows are merged into one paged query;
 * `DELETE delete` with a JSON array of at most 500 ids. No partitions.
 */
import type { MaviApi, PendingVideo } from './api.js';
import { alreadyGone, uploadedVideo } from './answers.js';
import { MaviError } from './errors.js';
import type { MaviHttp } from './http.js';
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
}

interface VideoPage {
  total: number;
  videoData: ListedVideo[];
}

export function originalApi(http: MaviHttp, statusOf: (raw: string) => VideoStatus): MaviApi {
  return {
    family: 'original',

    refuseFile(fileName, container) {
      if (ACCEPTED.includes(container)) return undefined;
      return `The file "${fileName}" is an ${container.toUpperCase()} file; this MAVI takes MP4/MOV or Matroska/WebM videos.`;
    },

    async uploadVideo(input) {
      const { contentType, body, contentLength } = multipartFileBody({
        fileField: 'file',
        fileName: input.fileName,
        fileContentType: input.declaredContentType || 'application/octet-stream',
        chunks: input.file,
        fileSize: input.fileSize,
      });
      const headers: Record<string, string> = { 'content-type': contentType };
      if (contentLength !== undefined) headers['content-length'] = String(contentLength);
      const data = await http.call<unknown>(`${PREFIX}upload`, {
        method: 'POST',
        headers,
        body,
        query: input.callbackUrl ? { callBackUri: input.callbackUrl } : {},
      });
      return uploadedVideo(data, statusOf);
    },

    async lookUpStatuses(videos, { maxRequests, pageSize = PAGE_SIZE }) {
      const found = new Map<string, VideoStatus>();
      let requests = 0;
      for (const window of mergeWindows(videos)) {
        const wanted = new Set(window.videoNos);
        for (let page = 1; wanted.size > 0; page += 1) {
          if (requests >= maxRequests) return found;
          requests += 1;
          const result = await http.call<VideoPage>(`${PREFIX}searchDB`, {
            method: 'GET',
            query: {
              startTime: String(window.start),
              endTime: String(window.end),
              page: String(page),
              pageSize: String(pageSize),
            },
          });
          if (!result || !Array.isArray(result.videoData)) {
            throw new MaviError('MAVI_UNAVAILABLE', 'MAVI answered searchDB without a videoData list.');
          }
          for (const row of result.videoData) {
            if (wanted.delete(row.videoNo)) found.set(row.videoNo, statusOf(String(row.videoStatus)));
          }
          if (result.videoData.length < pageSize || page * pageSize >= result.total) break;
        }
      }
      return found;
    },

    async deleteVideos(videoNos) {
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
    },

    close: () => http.close(),
  };
}

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
