/**
 * The events a video's changes make, for the app's backend (webhooks) and for `videoEvents`.
 * Each store writes them in the same step as the change that causes them (a transaction on
 * SQLite, the change's script on Redis), so that a crash can neither lose one nor make one
 * for a change that was never stored. (transcript.ready is added after its record, once per
 * task, on every callback that reports it: see videos/transcripts.ts.) Which events a change makes is decided here only: the
 * Redis scripts' table is generated from the same rule.
 */
import { videoStatuses, type VideoStatus } from '../mavi/types.js';
import { randomUUID } from 'node:crypto';
import type { OwnerNames } from '../identity.js';

export type VideoEventType =
  'video.registered' | 'video.status_changed' | 'video.ready' | 'video.failed' | 'video.deleted' | 'transcript.ready';

/** One event as the log keeps it; `cursor` is its place in the log (resume after it). */
export interface StoredVideoEvent {
  cursor: string;
  /** Unique and stable: the webhook-id of every delivery of it, the receiver's idempotency key. */
  id: string;
  type: VideoEventType;
  /** When the change happened (epoch ms). */
  at: number;
  videoNo: string;
  videoName: string;
  status: VideoStatus;
  /** The status before, for video.status_changed. */
  previousStatus: VideoStatus | undefined;
  ownerId: string;
  /** The video's owner as the app names it; absent for a video uploaded before names were kept. */
  names?: OwnerNames;
  passthrough?: string;
}

/** How long the log keeps an event: past it, a cursor that old resumes at the oldest kept. */
export const EVENT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** A new event id (Standard Webhooks' form: `msg_` and a unique part). */
export function newEventId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

/** The event a terminal status makes beside video.status_changed. */
function terminalEvent(status: VideoStatus): VideoEventType | undefined {
  if (status === 'PARSE') return 'video.ready';
  if (status === 'FAIL') return 'video.failed';
  return undefined;
}

/** The events of a status change, in order. */
export function eventsOfChange(next: VideoStatus): VideoEventType[] {
  const terminal = terminalEvent(next);
  return terminal ? ['video.status_changed', terminal] : ['video.status_changed'];
}

/** The same rule as a Lua table for the Redis scripts: TERMINAL_EVENT[status] is the extra event, or nil. */
export function luaTerminalEventTable(): string {
  const entries = videoStatuses.flatMap((status) => {
    const event = terminalEvent(status);
    return event ? [`${status} = '${event}'`] : [];
  });
  return `local TERMINAL_EVENT = { ${entries.join(', ')} }`;
}
