/**
 * The typed event bus for status changes: one topic per video. In memory by
 * default; a Redis event target makes it span instances.
 */
import { createPubSub, type PubSub, type PubSubEventTarget } from 'graphql-yoga';
import type { StatusChange } from '../status/status-store.js';

type StatusTopics = { videoStatus: [videoNo: string, change: StatusChange] };

export type StatusPubSub = PubSub<StatusTopics>;
export type StatusEventTarget = PubSubEventTarget<StatusTopics>;

export function createStatusPubSub(eventTarget?: StatusEventTarget): StatusPubSub {
  return createPubSub<StatusTopics>(eventTarget ? { eventTarget } : undefined);
}
