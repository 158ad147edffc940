/**
 * What the app's backend receives: `{ type, timestamp, data }` (docs/app-backend.md). The body
 * is made once, when the event is queued for an endpoint, and every retry sends the same bytes.
 */
import type { StoredVideoEvent } from '../status/video-events.js';

interface WebhookPayload {
  type: string;
  /** When the change happened, ISO 8601. */
  timestamp: string;
  data: {
    videoNo: string;
    videoName: string;
    status: string;
    /** The status before, on video.status_changed; null otherwise. */
    previousStatus: string | null;
    /** The owner as the app knows it (user, tenant, key); null until owners are recorded (issue 35, item 3). */
    owner: { user: string | null; tenant: string | null; key: string | null } | null;
    /** The app's own text for the video; null until passthrough is taken (issue 35, item 4). */
    passthrough: string | null;
  };
}

export function webhookBody(event: StoredVideoEvent): string {
  const payload: WebhookPayload = {
    type: event.type,
    timestamp: new Date(event.at).toISOString(),
    data: {
      videoNo: event.videoNo,
      videoName: event.videoName,
      status: event.status,
      previousStatus: event.previousStatus ?? null,
      owner: null,
      passthrough: null,
    },
  };
  return JSON.stringify(payload);
}
