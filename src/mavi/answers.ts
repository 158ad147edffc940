/** Readings of MAVI's answers that both API families share. */
import { MAVI_CODES, MaviError, normalizeMaviCode } from './errors.js';
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
