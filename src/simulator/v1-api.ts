/**
 * The successor family at memories.ai (`/serve/api/v1/*`, shared/memories-api.md
 * §2) as the simulator serves it, checking what the real one documents: the raw
 * key (no "Bearer"), form fields before the file, a `unique_id` partition (default
 * "default"), `.mp4 .avi .mkv .mov` only, a `video/*` file part, a size limit, a
 * callback address of at most 299 characters. `get_metadata` answers one video of
 * one partition (`data: null` otherwise); `delete_videos` is idempotent within a
 * partition. Callbacks are `{videoNo, status}`; ids `VI` + 18 digits.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { eighteenDigits, readIdList, readUpload } from './read-upload.js';
import { routeTable, sendJson, type SimulatedApi, type SimulatorCore } from './simulated-api.js';

const PREFIX = '/serve/api/v1/';
const EXTENSIONS = ['.mp4', '.avi', '.mkv', '.mov'];

export function v1Api(simulator: SimulatorCore, maxUploadBytes: number): SimulatedApi {
  const envelope = (res: ServerResponse, code: string, msg: string, data: unknown = null) =>
    sendJson(res, 200, { code, msg, data, success: code === '0000', failed: code !== '0000' });

  async function upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let received;
    try {
      received = await readUpload(simulator, req);
    } catch {
      if (!res.headersSent && !res.destroyed) envelope(res, '0001', 'incomplete multipart body');
      return;
    }
    const { file, fields, order } = received;
    if (!file || file.bytes === 0) return envelope(res, '0001', 'file is required and must not be empty');
    if (order.indexOf('file') < order.length - 1) return envelope(res, '0001', 'form fields must come before the file');
    const extension = /\.[^.]*$/.exec(file.fileName.toLowerCase())?.[0] ?? '';
    if (!EXTENSIONS.includes(extension)) return envelope(res, '0001', `unsupported file extension ${extension}`);
    if (!file.contentType.startsWith('video/')) return envelope(res, '0001', 'the file must be a video/* part');
    if (file.bytes > maxUploadBytes) return envelope(res, '0001', `the file exceeds ${maxUploadBytes} bytes`);
    if (fields.unique_id === '') return envelope(res, '0001', 'unique_id must not be empty');
    if ((fields.callback ?? '').length > 299) return envelope(res, '0001', 'callback is longer than 299 characters');

    const answer = await simulator.registerUpload(`VI${eighteenDigits()}`, file, {
      callbackUri: fields.callback || undefined,
      partition: fields.unique_id ?? 'default',
      fields,
    });
    envelope(res, '0000', 'success', answer);
  }

  function getMetadata(res: ServerResponse, url: URL): void {
    const videoNo = url.searchParams.get('video_no');
    if (!videoNo) return envelope(res, '0001', 'video_no is required');
    const video = simulator.videos.get(videoNo);
    const partition = url.searchParams.get('unique_id') ?? 'default';
    if (!video || video.partition !== partition) return envelope(res, '0000', 'success', null);
    envelope(res, '0000', 'success', {
      video_no: video.videoNo,
      video_name: video.videoName,
      duration: video.duration,
      size: video.bytes,
      status: video.videoStatus,
      create_time: Number(video.uploadTime),
    });
  }

  async function deleteVideos(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const videoNos = await readIdList(req, 100);
    if (!videoNos) return envelope(res, '0001', 'the body must be a JSON array of at most 100 video ids');
    const partition = url.searchParams.get('unique_id') ?? 'default';
    for (const videoNo of videoNos) {
      // Another partition's video, or an unknown one: a silent no-op, as documented.
      if (simulator.videos.get(videoNo)?.partition === partition) simulator.videos.delete(videoNo);
    }
    envelope(res, '0000', 'success', null);
  }

  return {
    isAuthorized: (header, apiKey) => header === apiKey,
    ...routeTable(
      PREFIX,
      { 'POST upload': 'upload', 'GET get_metadata': 'status', 'POST delete_videos': 'delete' },
      { upload, status: (_req, res, url) => getMetadata(res, url), delete: deleteVideos },
    ),
    callbackBody: (video, status) => ({ videoNo: video.videoNo, status }),
  };
}
