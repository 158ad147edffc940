/**
 * The original MAVI API family (`/api/serve/video/*`, shared/mavi-api.md) as the
 * simulator serves it: `upload` (multipart, `callBackUri` in the query),
 * `searchDB` (by upload-time window, paged) and `DELETE delete`, each answering
 * with the `{code, msg, data}` envelope; callbacks are `{videoNo, clientId, status}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { eighteenDigits, readIdList, readUpload, type ReceivedFile } from './read-upload.js';
import { routeTable, sendJson, type SimulatedApi, type SimulatorCore } from './simulated-api.js';

const PREFIX = '/api/serve/video/';

export function originalApi(simulator: SimulatorCore): SimulatedApi {
  const envelope = (res: ServerResponse, httpStatus: number, code: string, msg: string, data: unknown = null) =>
    sendJson(res, httpStatus, { code, msg, data });

  async function upload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let received: ReceivedFile | undefined;
    try {
      received = (await readUpload(simulator, req)).file;
    } catch {
      // The body broke off (the sender aborted, or it was malformed): nothing is registered.
      if (!res.headersSent && !res.destroyed) envelope(res, 400, '400', 'incomplete multipart body');
      return;
    }
    if (!received) return envelope(res, 400, '400', 'the multipart part "file" is required');

    const answer = await simulator.registerUpload(`mavi_video_${eighteenDigits()}`, received, {
      callbackUri: url.searchParams.get('callBackUri') ?? undefined,
      fields: {},
    });
    envelope(res, 200, '0000', 'success', answer);
  }

  function searchDb(res: ServerResponse, url: URL): void {
    const q = url.searchParams;
    const startTime = Number(q.get('startTime') ?? 0);
    const endTime = Number(q.get('endTime') ?? Number.MAX_SAFE_INTEGER);
    const status = q.get('videoStatus');
    const name = q.get('videoName');
    const page = Math.max(1, Number(q.get('page') ?? 1));
    const pageSize = Math.min(200, Math.max(1, Number(q.get('pageSize') ?? 20)));
    const matching = [...simulator.videos.values()].filter(
      (video) =>
        Number(video.uploadTime) >= startTime &&
        Number(video.uploadTime) <= endTime &&
        (!status || video.videoStatus === status) &&
        (!name || video.videoName.includes(name)),
    );
    const rows = matching.slice((page - 1) * pageSize, page * pageSize).map((video) => ({
      videoNo: video.videoNo,
      videoName: video.videoName,
      videoStatus: video.videoStatus,
      uploadTime: video.uploadTime,
      duration: video.duration,
    }));
    envelope(res, 200, '0000', 'success', { page, current: page, total: matching.length, pageSize, videoData: rows });
  }

  /** A JSON array of videoNos; code 409 when one is already gone, as MAVI does. */
  async function deleteVideos(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const videoNos = await readIdList(req, 500);
    if (!videoNos) return envelope(res, 400, '400', 'the body must be a JSON array of at most 500 videoNo');
    const missing = videoNos.filter((videoNo) => !simulator.videos.has(videoNo));
    for (const videoNo of videoNos) simulator.videos.delete(videoNo);
    if (missing.length > 0) return envelope(res, 200, '409', `already deleted: ${missing.join(', ')}`);
    envelope(res, 200, '0000', 'success');
  }

  return {
    // The original upload page and pymavi send the raw key; the Bearer form came with the O2O token flow.
    isAuthorized: (header, apiKey) => header === apiKey || header === `Bearer ${apiKey}`,
    ...routeTable(
      PREFIX,
      { 'POST upload': 'upload', 'GET searchDB': 'status', 'DELETE delete': 'delete' },
      { upload, status: (_req, res, url) => searchDb(res, url), delete: deleteVideos },
    ),
    callbackBody: (video, status) => ({ videoNo: video.videoNo, clientId: 'd7a7427b502df6c8e31de003675b7b77', status }),
  };
}
