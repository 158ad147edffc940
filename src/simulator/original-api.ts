/**
 * The original MAVI API family (`/api/serve/video/*`, shared/mavi-api.md) as the
 * simulator serves it: `upload` (multipart, `callBackUri` in the query),
 * `searchDB` (by upload-time window, paged) and `DELETE delete`, each answering
 * with the `{code, msg, data}` envelope; callbacks are `{videoNo, clientId, status}`.
 */
import { randomInt } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import busboy from 'busboy';
import { sendJson, type SimulatedApi, type SimulatedVideo, type SimulatorCore } from './simulated-api.js';

const PREFIX = '/api/serve/video/';

interface ReceivedFile {
  fileName: string;
  contentType: string;
  sha256: string;
  bytes: number;
}

export function originalApi(simulator: SimulatorCore): SimulatedApi {
  const envelope = (res: ServerResponse, httpStatus: number, code: string, msg: string, data: unknown = null) =>
    sendJson(res, httpStatus, { code, msg, data });

  async function upload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let received: ReceivedFile | undefined;
    try {
      received = await readFilePart(simulator, req);
    } catch {
      // The body broke off (the sender aborted, or it was malformed): nothing is registered.
      if (!res.headersSent && !res.destroyed) envelope(res, 400, '400', 'incomplete multipart body');
      return;
    }
    if (!received) return envelope(res, 400, '400', 'the multipart part "file" is required');

    const video: SimulatedVideo = {
      videoNo: `mavi_video_${String(randomInt(10 ** 11, 10 ** 12 - 1))}${String(randomInt(10 ** 5, 10 ** 6 - 1))}`,
      videoName: received.fileName,
      videoStatus: 'UNPARSE',
      uploadTime: String(Date.now()),
      duration: 0,
      sha256: received.sha256,
      bytes: received.bytes,
      contentType: received.contentType,
      callbackUri: url.searchParams.get('callBackUri') ?? undefined,
    };
    simulator.register(video);
    await simulator.beforeUploadAnswer();
    envelope(res, 200, '0000', 'success', {
      videoNo: video.videoNo,
      videoName: video.videoName,
      videoStatus: 'UNPARSE',
      uploadTime: video.uploadTime,
    });
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
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let videoNos: unknown;
    try {
      videoNos = JSON.parse(Buffer.concat(chunks).toString());
    } catch {
      return envelope(res, 400, '400', 'the body must be a JSON array of videoNo');
    }
    if (!Array.isArray(videoNos) || videoNos.length > 500) {
      return envelope(res, 400, '400', 'the body must be a JSON array of at most 500 videoNo');
    }
    const missing = videoNos.filter((videoNo) => !simulator.videos.has(String(videoNo)));
    for (const videoNo of videoNos) simulator.videos.delete(String(videoNo));
    if (missing.length > 0) return envelope(res, 200, '409', `already deleted: ${missing.join(', ')}`);
    envelope(res, 200, '0000', 'success');
  }

  return {
    async handle(req, res, url) {
      if (!url.pathname.startsWith(PREFIX)) return false;
      const endpoint = `${req.method} ${url.pathname.slice(PREFIX.length)}`;
      if (endpoint === 'POST upload') await upload(req, res, url);
      else if (endpoint === 'GET searchDB') searchDb(res, url);
      else if (endpoint === 'DELETE delete') await deleteVideos(req, res);
      else return false;
      return true;
    },
    callbackBody: (video, status) => ({ videoNo: video.videoNo, clientId: 'd7a7427b502df6c8e31de003675b7b77', status }),
  };
}

/** Streams the body through busboy, digesting the `file` part; resolves once the whole body was read. */
function readFilePart(simulator: SimulatorCore, req: IncomingMessage): Promise<ReceivedFile | undefined> {
  return new Promise((resolve, reject) => {
    let result: ReceivedFile | undefined;
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, defParamCharset: 'utf8' }); // RFC 7578: UTF-8 file names
    } catch (error) {
      req.resume();
      reject(error);
      return;
    }
    parser.on('file', (name, stream, info) => {
      stream.on('error', () => undefined); // the parser reports it too
      if (name !== 'file') {
        stream.resume();
        return;
      }
      const digest = simulator.createDigest();
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => {
        digest?.update(chunk);
        bytes += chunk.length;
      });
      stream.on('end', () => {
        result = {
          fileName: info.filename ?? '',
          contentType: info.mimeType,
          sha256: digest?.digest('hex') ?? '',
          bytes,
        };
      });
    });
    parser.on('close', () => resolve(result));
    parser.on('error', reject);
    req.on('error', reject);
    req.on('close', () => {
      if (!req.readableEnded) reject(new Error('closed before the end of the body'));
    });
    req.on('data', (chunk: Buffer) => {
      simulator.onUploadChunk(req, chunk);
      if (req.destroyed) return;
      if (!parser.write(chunk)) {
        req.pause();
        parser.once('drain', () => req.resume());
      }
    });
    req.on('end', () => parser.end());
  });
}
