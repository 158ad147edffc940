/** The video domain: its status enum, the Video type and `Query.video`. */
import type { VideoStatus as Status } from '../mavi/types.js';
import type { VideoRecord } from '../status/status-store.js';
import { MAX_DELETE_VIDEOS } from '../videos/video-library.js';
import { builder } from './builder.js';
import type { GatewayContext } from './context.js';

export const VideoStatus = builder.enumType('VideoStatus', {
  description: "A video's processing state at MAVI. PARSE and FAIL are final.",
  values: {
    UNPARSE: { description: 'Accepted by MAVI, not processed yet.' },
    PARSE: { description: 'Processed, ready to search.' },
    FAIL: { description: 'Processing failed.' },
  } satisfies Record<Status, unknown>,
});

export const Video = builder.objectRef<VideoRecord>('Video').implement({
  description: 'A video uploaded through this gateway.',
  fields: (t) => ({
    videoNo: t.exposeID('videoNo', { description: "MAVI's id for the video, e.g. mavi_video_554046065381212160." }),
    videoName: t.exposeString('videoName', { description: 'The file name MAVI registered.' }),
    status: t.field({ type: VideoStatus, resolve: (video) => video.status }),
    uploadTime: t.field({
      type: 'DateTime',
      description: 'When MAVI registered the upload.',
      resolve: (video) => video.uploadTime,
    }),
    updatedAt: t.field({
      type: 'DateTime',
      description: 'When the gateway learned the current status.',
      resolve: (video) => video.updatedAt,
    }),
  }),
});

/** Whether the caller may see a record. Another client's video looks exactly like an unknown one. */
export function ownedByCaller(context: GatewayContext): (record: VideoRecord) => boolean {
  return (record) => record.ownerId === context.ownerId;
}

async function findVisibleVideo(context: GatewayContext, videoNo: string): Promise<VideoRecord | undefined> {
  const record = await context.status.get(videoNo);
  return record && ownedByCaller(context)(record) ? record : undefined;
}

builder.queryField('video', (t) =>
  t.field({
    type: Video,
    nullable: true,
    description: 'A video you uploaded, with its last known status; null when no such video is known to you.',
    args: { videoNo: t.arg.id({ required: true }) },
    resolve: (_root, { videoNo }, context) => findVisibleVideo(context, String(videoNo)),
  }),
);

const DeleteVideosResult = builder.objectRef<{ deleted: string[] }>('DeleteVideosResult').implement({
  description: 'What deleteVideos did.',
  fields: (t) => ({
    deleted: t.field({
      type: ['ID'],
      description:
        'The videos deleted by this call (at MAVI and here). Unknown videos, and videos already deleted, are not listed.',
      resolve: (result) => result.deleted,
    }),
  }),
});

builder.mutationField('deleteVideos', (t) =>
  t.field({
    type: DeleteVideosResult,
    description: `Deletes videos you uploaded, at MAVI and here (at most ${MAX_DELETE_VIDEOS} per call). Their open videoStatus subscriptions end with VIDEO_DELETED. Safe to repeat: a video that is unknown, or already deleted, is skipped.`,
    args: { videoNos: t.arg.idList({ required: true }) },
    resolve: async (_root, { videoNos }, context) => ({
      deleted: await context.library.deleteVideos(context.ownerId, videoNos.map(String)),
    }),
  }),
);
