/**
 * What the app's backend receives: `{ type, timestamp, data }` (docs/app-backend.md). The body
 * is made once, when the event is queued for an endpoint, and every retry sends the same bytes.
 */
import type { OwnerNames } from '../identity.js';
import type { StoredVideoEvent } from '../status/video-events.js';

/** Every type an endpoint may ask for (`eventTypes`); docs/app-backend.md says what each means. */
export const WEBHOOK_EVENT_TYPES = [
  'video.registered',
  'video.status_changed',
  'video.ready',
  'video.failed',
  'video.deleted',
  'transcript.ready',
  'upload.failed',
  'owner.erased',
  'live.result',
  'live.stopped',
] as const;

/** What `sendTestWebhook` sends: to its one endpoint, whatever types it asked for. */
export const TEST_EVENT_TYPE = 'webhook.test';

/** The `data` of an event of the video event log. */
interface VideoEventData {
  videoNo: string;
  videoName: string;
  status: string;
  /** The status before, on video.status_changed; null otherwise. */
  previousStatus: string | null;
  /** The owner as the app knows it (user, tenant, key); null for a video uploaded before owners were kept. */
  owner: OwnerNames | null;
  /** The app's own text for the video, given at upload; null when none was. */
  passthrough: string | null;
}

/** An event's body, `{ type, timestamp, data }`: every event is sent in this one form. */
export function eventBody(type: string, at: number, data: object): string {
  return JSON.stringify({ type, timestamp: new Date(at).toISOString(), data });
}

/** The body of an event of the video event log. */
export function webhookBody(event: StoredVideoEvent): string {
  const data: VideoEventData = {
    videoNo: event.videoNo,
    videoName: event.videoName,
    status: event.status,
    previousStatus: event.previousStatus ?? null,
    owner: event.names ?? null,
    passthrough: event.passthrough ?? null,
  };
  return eventBody(event.type, event.at, data);
}
