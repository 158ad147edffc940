/**
 * The successor family at memories.ai, `{MAVI_BASE_URL}/serve/api/v1/*`
 * (shared/memories-api.md §2): multipart upload whose form fields (`unique_id`,
 * `callback`) come before the file, a file part whose Content-Type must be
 * `video/*`, only `.mp4 .avi .mkv .mov` files, 3 GB at most; one video's status
 * from `GET get_metadata`; `POST delete_videos` with at most 100 ids and the
 * partition (`unique_id`) in the query, idempotent. Every call names the
 * client's partition, so MAVI keeps clients apart too. The size and
 * callback-length limits shape the configuration, so config.ts applies them
 * (MAX_UPLOAD_BYTES's default, PUBLIC_URL's length).
 */
import type { MaviApi } from './api.js';
import { containerMimeTypes, type VideoContainer } from './containers.js';
import type { MaviHttp } from './http.js';
import { multipartFileBody } from './multipart-body.js';
import { alreadyGone, uploadedVideo } from './answers.js';
import type { VideoStatus } from './types.js';

const PREFIX = '/serve/api/v1/';
const ACCEPTED_EXTENSIONS = ['.mp4', '.avi', '.mkv', '.mov'];
const ACCEPTED_CONTAINERS: readonly VideoContainer[] = ['mp4', 'quicktime', 'matroska', 'avi'];
const MAX_DELETE = 100;

interface Metadata {
  video_no?: string;
  status?: string;
}

export function v1Api(http: MaviHttp, statusOf: (raw: string) => VideoStatus): MaviApi {
  return {
    family: 'v1',

    refuseFile(fileName, container) {
      const extension = /\.[^.]*$/.exec(fileName.toLowerCase())?.[0] ?? '';
      if (ACCEPTED_EXTENSIONS.includes(extension) && ACCEPTED_CONTAINERS.includes(container)) return undefined;
      const what = ACCEPTED_CONTAINERS.includes(container)
        ? `its name ends in "${extension}"`
        : `it is a ${container.toUpperCase()} file`;
      return `The file "${fileName}" cannot go to this MAVI: ${what}, and it takes only .mp4, .avi, .mkv and .mov files (MP4, AVI, Matroska, QuickTime).`;
    },

    async uploadVideo(input) {
      const fields: [string, string][] = [['unique_id', input.partition]];
      if (input.callbackUrl) fields.push(['callback', input.callbackUrl]);
      const { contentType, body, contentLength } = multipartFileBody({
        fields,
        fileField: 'file',
        fileName: input.fileName,
        // MAVI checks that the part's type starts with video/: the sniffed container decides it.
        fileContentType: containerMimeTypes[input.container],
        chunks: input.file,
        fileSize: input.fileSize,
      });
      const headers: Record<string, string> = { 'content-type': contentType };
      if (contentLength !== undefined) headers['content-length'] = String(contentLength);
      const data = await http.call<unknown>(`${PREFIX}upload`, { method: 'POST', headers, body });
      return uploadedVideo(data, statusOf);
    },

    async lookUpStatuses(videos, { maxRequests }) {
      const found = new Map<string, VideoStatus>();
      for (const video of videos.slice(0, maxRequests)) {
        const metadata = await http.call<Metadata | null>(`${PREFIX}get_metadata`, {
          method: 'GET',
          query: { video_no: video.videoNo, unique_id: video.partition },
        });
        // `data: null` is an unknown video: nothing to learn from it.
        if (metadata && typeof metadata.status === 'string') found.set(video.videoNo, statusOf(metadata.status));
      }
      return found;
    },

    async deleteVideos(videoNos, partition) {
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
    },

    close: () => http.close(),
  };
}
