/**
 * Who may see and act on a video: the one policy that every read, list,
 * subscription, chat, transcript and delete asks. A video is its uploader's: a
 * client key's owner, or a signed-in user. An administrator of a group (a
 * tenant's, with AUTH_ADMIN_SCOPE) sees and manages every video of the group
 * too. A video the caller may not see is answered exactly as an unknown one
 * (videoNotFound): nothing tells the two apart.
 */
import { gatewayError } from '../errors.js';
import { inScope, listScope, type Viewer } from '../identity.js';
import type { VideoRecord } from '../status/status-store.js';

/** Whether the viewer may see and act on the video: it is in the viewer's list (an administrator's own are in its group). */
export function canSee(viewer: Viewer, record: VideoRecord): boolean {
  return inScope(listScope(viewer), record.ownerId);
}

/** The policy for one viewer, as a filter (for the status feed, which reads the record itself). */
export function visibleTo(viewer: Viewer): (record: VideoRecord) => boolean {
  return (record) => canSee(viewer, record);
}

/** The same answer for an unknown video and one the caller may not see. */
export function videoNotFound(videoNo: string) {
  return gatewayError('VIDEO_NOT_FOUND', `No video ${JSON.stringify(videoNo.slice(0, 100))} is known to you.`);
}
