/** Readings of MAVI's answers that both API families share. */
import { MAVI_CODES, MaviError, normalizeMaviCode } from './errors.js';
import type { TranscriptSegment, UploadMetadata } from './api.js';
import type { MaviUploadedVideo, VideoStatus } from './types.js';

/** A 0409 ("duplicate") on delete means the video is already gone: that is what was asked. */
export function alreadyGone(error: MaviError): boolean {
  return error.context.maviCode !== undefined && normalizeMaviCode(error.context.maviCode) === MAVI_CODES.duplicate;
}

/** MAVI's answer to an upload, checked: anything incomplete is MAVI being unwell, not a success. */
export function uploadedVideo(data: unknown, statusOf: (raw: string) => VideoStatus): MaviUploadedVideo {
  const video = data as { videoNo?: unknown; videoName?: unknown; videoStatus?: unknown; uploadTime?: unknown } | null;
  if (
    !video ||
    typeof video.videoNo !== 'string' ||
    video.videoNo === '' ||
    typeof video.videoName !== 'string' ||
    typeof video.videoStatus !== 'string' ||
    !/^\d+$/.test(String(video.uploadTime))
  ) {
    throw new MaviError('MAVI_UNAVAILABLE', 'MAVI answered the upload with an incomplete video record.');
  }
  return {
    videoNo: video.videoNo,
    videoName: video.videoName,
    videoStatus: statusOf(video.videoStatus),
    uploadTime: Number(video.uploadTime),
  };
}

/** An upload-from-URL answer: the original family's gives only videoNo and videoName (pymavi). */
export function urlUploadedVideo(data: unknown, statusOf: (raw: string) => VideoStatus): MaviUploadedVideo {
  const video = data as { videoNo?: unknown; videoName?: unknown; videoStatus?: unknown; uploadTime?: unknown } | null;
  if (!video || typeof video.videoNo !== 'string' || video.videoNo === '') {
    throw new MaviError('MAVI_UNAVAILABLE', 'MAVI answered the URL upload without a videoNo.');
  }
  return uploadedVideo(
    {
      videoNo: video.videoNo,
      videoName: typeof video.videoName === 'string' ? video.videoName : video.videoNo,
      videoStatus: typeof video.videoStatus === 'string' ? video.videoStatus : 'UNPARSE',
      uploadTime: /^\d+$/.test(String(video.uploadTime)) ? video.uploadTime : String(Date.now()),
    },
    statusOf,
  );
}

/** Seconds as MAVI writes them (a number, or a string of one); undefined when it is neither. */
export function seconds(value: unknown): number | undefined {
  const number =
    typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(number) && number >= 0 ? number : undefined;
}

/** A list MAVI must have answered with; anything else is MAVI being unwell. */
export function listOf<Item>(value: Item[] | undefined | null, endpoint: string): Item[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new MaviError('MAVI_UNAVAILABLE', `MAVI answered ${endpoint} without a list.`);
  return value;
}

/** Transcript segments as both families write them (`startTime`, `endTime`, `content`), in time order. */
export function segmentsOf(
  rows: readonly { startTime?: unknown; endTime?: unknown; content?: unknown }[] | undefined | null,
): TranscriptSegment[] {
  return listOf(rows as { startTime?: unknown; endTime?: unknown; content?: unknown }[], 'a transcription')
    .flatMap((row) => {
      const startSeconds = seconds(row.startTime);
      const endSeconds = seconds(row.endTime);
      if (startSeconds === undefined || endSeconds === undefined || typeof row.content !== 'string') return [];
      return [{ startSeconds, endSeconds, text: row.content }];
    })
    .sort((a, b) => a.startSeconds - b.startSeconds);
}

/** Whether the client told anything about the video. */
export function hasMetadata(metadata: UploadMetadata | undefined): boolean {
  return metadata !== undefined && Object.values(metadata).some((value) => value !== undefined);
}
