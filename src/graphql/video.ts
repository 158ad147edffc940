/** The video domain: its status enum, the Video type and `Query.video`. */
import type { VideoStatus as Status } from '../mavi/types.js';
import type { VideoDetails } from '../mavi/api.js';
import type { ListPosition, VideoListPage, VideoRecord } from '../status/status-store.js';
import { isService, mayNameOwner, type Owner, type OwnerNames } from '../identity.js';
import { gatewayError, isRefusal, refusalError } from '../errors.js';
import type { GatewayContext } from './context.js';
import { MAX_DELETE_VIDEOS, MAX_PAGE_SIZE } from '../videos/video-library.js';
import { builder } from './builder.js';
import { decodeCursor, encodeCursor, PageInfo, pageInfoOf } from './pages.js';

export const VideoStatus = builder.enumType('VideoStatus', {
  description: "A video's processing state at MAVI. PARSE and FAIL are final.",
  values: {
    UNPARSE: { description: 'Accepted by MAVI, not processed yet.' },
    PARSE: { description: 'Processed, ready to search.' },
    FAIL: { description: 'Processing failed.' },
  } satisfies Record<Status, unknown>,
});

const VideoDetailsType = builder.objectRef<VideoDetails>('VideoDetails').implement({
  description:
    'What MAVI knows of a video beyond its status. A field is null when the MAVI API family behind the gateway does not report it (the original family reports only the duration).',
  fields: (t) => ({
    durationSeconds: t.float({ nullable: true, description: 'Length in seconds.', resolve: (d) => d.durationSeconds }),
    sizeBytes: t.float({ nullable: true, description: 'File size in bytes.', resolve: (d) => d.sizeBytes }),
    width: t.int({ nullable: true, description: 'Frame width in pixels.', resolve: (d) => d.width }),
    height: t.int({ nullable: true, description: 'Frame height in pixels.', resolve: (d) => d.height }),
    framesPerSecond: t.float({ nullable: true, description: 'Frame rate.', resolve: (d) => d.framesPerSecond }),
  }),
});

export const OwnerType = builder.objectRef<OwnerNames>('Owner').implement({
  description:
    "A video's owner as your app knows it: the user and tenant claims its identity provider issued, or a client key's name. Null where one does not apply.",
  fields: (t) => ({
    user: t.string({ nullable: true, description: 'The user claim (AUTH_USER_CLAIM).', resolve: (o) => o.user }),
    tenant: t.string({
      nullable: true,
      description: 'The tenant claim (AUTH_TENANT_CLAIM).',
      resolve: (o) => o.tenant,
    }),
    key: t.string({ nullable: true, description: "The client key's name.", resolve: (o) => o.key }),
  }),
});

export const OwnerInput = builder.inputType('OwnerInput', {
  description:
    'An owner as your app names it: a user by its user claim (with its tenant claim when AUTH_TENANT_CLAIM is set), or a client key by its name. One of the two.',
  fields: (t) => ({
    user: t.string({ description: 'The user claim (AUTH_USER_CLAIM) of a signed-in user.' }),
    tenant: t.string({ description: "The user's tenant claim (AUTH_TENANT_CLAIM)." }),
    key: t.string({ description: "A client key's name (GATEWAY_API_KEYS `name:key`)." }),
  }),
});

/** Refuses (INVALID_INPUT) whoever is not the app's service key, saying what only it does. */
export function requireService(context: GatewayContext, what: string): void {
  if (!isService(context.viewer)) {
    throw gatewayError('INVALID_INPUT', `Only the app's service key (GATEWAY_SERVICE_KEYS) ${what}.`);
  }
}

/** The owner an OwnerInput names; INVALID_INPUT naming why there is none. */
export function ownerOf(
  context: GatewayContext,
  input: { user?: string | null; tenant?: string | null; key?: string | null },
): Owner {
  const owner = context.ownerNamed(input);
  if (isRefusal(owner)) throw refusalError(owner);
  return owner;
}

export const Video = builder.node(builder.objectRef<VideoRecord>('Video'), {
  description: 'A video uploaded through this gateway.',
  id: { resolve: (video) => video.videoNo },
  loadOne: (videoNo, context) => context.library.findOwned(context.viewer, videoNo),
  fields: (t) => ({
    videoNo: t.exposeID('videoNo', { description: "MAVI's id for the video, e.g. mavi_video_554046065381212160." }),
    videoName: t.exposeString('videoName', { description: 'The file name MAVI registered.' }),
    status: t.field({
      type: VideoStatus,
      description: 'Where MAVI is with it, as last learned.',
      resolve: (video) => video.status,
    }),
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
    owner: t.field({
      type: OwnerType,
      nullable: true,
      description:
        "Who uploaded it, as your app names them: shown to a tenant's administrators for their tenant's videos, null for everyone else, and for videos uploaded before owners were recorded (0.3.0).",
      resolve: (video, _args, context) => (mayNameOwner(context.viewer, video.ownerId) ? (video.names ?? null) : null),
    }),
    passthrough: t.string({
      nullable: true,
      description: "Your app's own text given at upload (`passthrough`, up to 1 KiB): never sent to MAVI.",
      resolve: (video) => video.passthrough ?? null,
    }),
    details: t.field({
      type: VideoDetailsType,
      nullable: true,
      description:
        'What MAVI knows of the video (duration, size, …), asked of MAVI when this field is requested: one batch per request for every video in the answer. Null when MAVI does not know the video (yet).',
      resolve: (video, _args, context) => context.details.load(video),
    }),
  }),
});

const VideoEdge = builder.objectRef<VideoRecord>('VideoEdge').implement({
  description: 'A video in a list, with its place in it.',
  fields: (t) => ({
    node: t.field({ type: Video, description: 'The video.', resolve: (record) => record }),
    cursor: t.string({
      description: 'Pass as `after` to continue after this video.',
      resolve: (record) => videoCursor(record),
    }),
  }),
});

/** A page, and the cursor it was asked for `after` (which PageInfo.hasPreviousPage reports). */
type VideoConnectionValue = VideoListPage & { after: ListPosition | undefined };

const VideoConnection = builder.objectRef<VideoConnectionValue>('VideoConnection').implement({
  description: 'A page of your videos, newest first.',
  fields: (t) => ({
    edges: t.field({
      type: [VideoEdge],
      description: 'The videos of the page, each with its cursor.',
      resolve: (page) => page.records,
    }),
    nodes: t.field({
      type: [Video],
      description: 'The videos of the page (the edges without cursors).',
      resolve: (page) => page.records,
    }),
    pageInfo: t.field({
      type: PageInfo,
      description: 'Where the page starts and ends, and whether more follow.',
      resolve: (page) => pageInfoOf(page, videoCursor),
    }),
  }),
});

const videoCursor = (position: ListPosition) => encodeCursor(position.uploadTime, position.videoNo);

builder.queryField('videos', (t) =>
  t.field({
    type: VideoConnection,
    nullable: true,
    description: `Your videos, newest first, answered from the gateway (no MAVI call unless \`details\` is asked for). At most ${MAX_PAGE_SIZE} per page.`,
    args: {
      first: t.arg.int({ defaultValue: 20, description: `Page size, 1 to ${MAX_PAGE_SIZE}.` }),
      after: t.arg.string({ description: "A cursor from the previous page's `pageInfo.endCursor` (or an edge)." }),
      status: t.arg({ type: VideoStatus, description: 'Only videos with this status.' }),
      nameContains: t.arg.string({ description: 'Only videos whose name contains this text, ignoring case.' }),
      owner: t.arg({
        type: OwnerInput,
        description:
          "Only this owner's videos (a user by its claims, or a client key by its name): for the app's service key, and a tenant's administrators within their tenant. Anyone else gets none of another owner's.",
      }),
    },
    resolve: async (_root, args, context) => {
      const position = args.after ? decodeCursor(args.after) : undefined;
      const after = position && { uploadTime: position.time, videoNo: position.id };
      const page = await context.library.listVideos(context.viewer, {
        first: args.first ?? 20,
        after,
        status: args.status ?? undefined,
        nameContains: args.nameContains || undefined,
        ownerId: args.owner ? ownerOf(context, args.owner).ownerId : undefined,
      });
      return { ...page, after };
    },
  }),
);

builder.queryField('video', (t) =>
  t.field({
    type: Video,
    nullable: true,
    description: 'A video you uploaded, with its last known status; null when no such video is known to you.',
    args: { videoNo: t.arg.id({ required: true, description: 'A video you uploaded.' }) },
    resolve: (_root, { videoNo }, context) => context.library.findOwned(context.viewer, String(videoNo)),
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
    nullable: true,
    description: `Deletes videos you uploaded, at MAVI and here (at most ${MAX_DELETE_VIDEOS} per call). Their open videoStatus subscriptions end with VIDEO_DELETED. Safe to repeat: a video that is unknown, or already deleted, is skipped.`,
    args: { videoNos: t.arg.idList({ required: true, description: 'The videos to delete.' }) },
    resolve: async (_root, { videoNos }, context) => ({
      deleted: await context.library.deleteVideos(context.viewer, videoNos.map(String)),
    }),
  }),
);
