/** `Subscription.videoStatus`: the current status, then each change, until a final one. */
import { gatewayError } from '../errors.js';
import type { StatusChange } from '../status/status-store.js';
import { videoNotFound, visibleTo } from '../videos/ownership.js';
import { builder } from './builder.js';
import { shareableField } from './shared-results.js';
import { VideoStatus } from './video.js';

const VideoStatusEvent = builder.objectRef<StatusChange>('VideoStatusEvent').implement({
  description: "A video's status, as the gateway learned it.",
  fields: (t) => ({
    videoNo: t.exposeID('videoNo', { description: 'The video.' }),
    status: t.field({ type: VideoStatus, description: 'Its status.', resolve: (event) => event.status }),
    receivedAt: t.field({
      type: 'DateTime',
      description: 'When the gateway received this status (from a MAVI callback, a poll, or the upload answer).',
      resolve: (event) => event.receivedAt,
    }),
  }),
});

builder.subscriptionField('videoStatus', (t) =>
  t.field({
    type: VideoStatusEvent,
    description:
      'The current status of a video you uploaded, then one event per change. Completes right after PARSE or FAIL. Unknown videos fail with VIDEO_NOT_FOUND; a video deleted while followed ends with a VIDEO_DELETED error.',
    args: { videoNo: t.arg.id({ required: true, description: 'A video you uploaded.' }) },
    // The caller's own view of one video: subscribers asking the same share each event's execution.
    extensions: shareableField,
    subscribe: async (_root, args, context) => {
      const videoNo = String(args.videoNo);
      const feed = await context.status.follow(videoNo, visibleTo(context.viewer));
      if (!feed) throw videoNotFound(videoNo);
      return feed;
    },
    // A video deleted while followed: this event tells the subscriber, and the feed ends after it.
    resolve: (event) => {
      if ('removed' in event) {
        throw gatewayError('VIDEO_DELETED', `The video "${event.videoNo}" was deleted; nothing more will come.`);
      }
      return event;
    },
  }),
);
