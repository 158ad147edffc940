/**
 * `Subscription.videoEvents`: every change of every video the caller sees (its own; a tenant's
 * for its administrators; all of them for the app's service key), the same events the app's
 * webhooks carry. Each has a cursor: a client that reconnects with `after:` its last one misses
 * nothing, within the log's retention (7 days).
 */
import { gatewayError } from '../errors.js';
import { inScope, listScope } from '../identity.js';
import { isEventCursor } from '../status/event-log-feed.js';
import type { StoredVideoEvent } from '../status/video-events.js';
import { builder } from './builder.js';
import { Video, VideoStatus } from './video.js';

const VideoEvent = builder.objectRef<StoredVideoEvent>('VideoEvent').implement({
  description: "A change to a video, as the app's webhooks carry it.",
  fields: (t) => ({
    cursor: t.exposeString('cursor', {
      description: 'Its place in the log: resume after it with `videoEvents(after:)`.',
    }),
    type: t.exposeString('type', {
      description:
        'video.registered, video.status_changed, video.ready, video.failed, video.deleted or transcript.ready.',
    }),
    timestamp: t.field({ type: 'DateTime', description: 'When it happened.', resolve: (event) => event.at }),
    videoNo: t.exposeID('videoNo', { description: 'The video.' }),
    status: t.field({
      type: VideoStatus,
      description: "The video's status after it.",
      resolve: (event) => event.status,
    }),
    previousStatus: t.field({
      type: VideoStatus,
      nullable: true,
      description: 'The status before, for video.status_changed.',
      resolve: (event) => event.previousStatus ?? null,
    }),
    video: t.field({
      type: Video,
      nullable: true,
      description: 'The video as it is now; null once it is deleted.',
      resolve: (event, _args, context) => context.library.findOwned(context.viewer, event.videoNo),
    }),
  }),
});

builder.subscriptionField('videoEvents', (t) =>
  t.field({
    type: VideoEvent,
    description:
      'Every change of every video you can see, as it happens, with a cursor each. With `after:` a cursor you got, the events since then come first (within 7 days); without it, only what happens from now on. Never completes: end it when you are done.',
    args: { after: t.arg.string({ description: 'A cursor from an earlier event: resume right after it.' }) },
    subscribe: (_root, { after }, context) => {
      if (after != null && !isEventCursor(after)) {
        throw gatewayError('INVALID_INPUT', 'after is not a cursor this gateway gave (one of VideoEvent.cursor).');
      }
      const scope = listScope(context.viewer);
      return context.status.followLog(after ?? undefined, (event) => inScope(scope, event.ownerId));
    },
    resolve: (event) => event,
  }),
);
