/** `Subscription.videoStatus`: the current status, then each change, until a final one. */
import { gatewayError } from '../errors.js';
import type { StatusChange } from '../status/status-store.js';
import { StatusFeed } from '../status/status-feed.js';
import { builder } from './builder.js';
import { findVisibleVideo, VideoStatus } from './video.js';

const VideoStatusEvent = builder.objectRef<StatusChange>('VideoStatusEvent').implement({
  description: "A video's status, as the gateway learned it.",
  fields: (t) => ({
    videoNo: t.exposeID('videoNo'),
    status: t.field({ type: VideoStatus, resolve: (event) => event.status }),
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
      'The current status of a video you uploaded, then one event per change. Completes right after PARSE or FAIL. Unknown videos fail with VIDEO_NOT_FOUND.',
    args: { videoNo: t.arg.id({ required: true }) },
    subscribe: async (_root, args, context) => {
      const videoNo = String(args.videoNo);
      // Listen (and wait until the transport delivers) before reading, so that a change
      // between the read and the listen is not lost.
      const changes = context.services.events.subscribe(videoNo);
      const record = await changes.ready
        .then(() => findVisibleVideo(context, videoNo))
        .catch(async (error: unknown) => {
          await changes.return();
          throw error;
        });
      if (!record) {
        await changes.return();
        throw gatewayError('VIDEO_NOT_FOUND', `No video "${videoNo}" is known to you.`);
      }
      return new StatusFeed(record, changes);
    },
    resolve: (event) => event,
  }),
);
