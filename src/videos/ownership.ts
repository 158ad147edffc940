/**
 * Who may see and act on a video: the one policy that every read, subscription,
 * chat, transcript and delete asks. A video is its uploader's (the owner id of the
 * client key that uploaded it); end-user identity widens this here and nowhere
 * else. A video the caller may not see is answered exactly as an unknown one
 * (videoNotFound): nothing tells the two apart.
 */
import { gatewayError } from '../errors.js';
import type { VideoRecord } from '../status/status-store.js';

/** Whether the caller `ownerId` may see and act on the video. */
export function canSee(ownerId: string, record: VideoRecord): boolean {
  return record.ownerId === ownerId;
}

/** The policy for one caller, as a filter (for the status feed, which reads the record itself). */
export function visibleTo(ownerId: string): (record: VideoRecord) => boolean {
  return (record) => canSee(ownerId, record);
}

/** The same answer for an unknown video and one the caller may not see. */
export function videoNotFound(videoNo: string) {
  return gatewayError('VIDEO_NOT_FOUND', `No video ${JSON.stringify(videoNo.slice(0, 100))} is known to you.`);
}
