import { getNamedType, type GraphQLInputType, type ValidationRule } from 'graphql';
import { gatewayError } from '../errors.js';
import type { UploadMetadata } from '../mavi/api.js';
import { MAX_VIDEO_URL_CHARS } from '../upload/video-url.js';
import { discardUnread, type Uploader } from '../upload/upload-video.js';
import { builder } from './builder.js';
import type { GatewayContext } from './context.js';
import { OwnerInput, ownerOf, requireService, Video } from './video.js';

const Location = builder.inputType('LocationInput', {
  description: 'Where the video was taken.',
  fields: (t) => ({
    latitude: t.float({ required: true, description: '-90 to 90.' }),
    longitude: t.float({ required: true, description: '-180 to 180.' }),
  }),
});

const UploadMetadataInput = builder.inputType('UploadMetadataInput', {
  description:
    "What you know about the video, passed on to MAVI. Only the successor MAVI family (MAVI_API=v1) takes it; the original family refuses it with INVALID_INPUT. The successor's limits apply: at most 20 tags, a camera model of at most 200 characters.",
  fields: (t) => ({
    tags: t.stringList({ description: 'Labels to filter by later (at most 20).' }),
    capturedAt: t.field({ type: 'DateTime', description: 'When the video was taken (sent to MAVI in UTC).' }),
    cameraModel: t.string({ description: 'The camera, at most 200 characters.' }),
    location: t.field({ type: Location, description: 'Where the video was taken.' }),
    transcriptionPrompt: t.string({ description: "Steers MAVI's description of what is seen." }),
  }),
});

type MetadataArg =
  | {
      tags?: string[] | null;
      capturedAt?: Date | null;
      cameraModel?: string | null;
      location?: { latitude: number; longitude: number } | null;
      transcriptionPrompt?: string | null;
    }
  | null
  | undefined;

const PASSTHROUGH =
  "Your app's own text for the video (up to 1 KiB, UTF-8): kept with it, returned as `Video.passthrough` and in every webhook about it, never sent to MAVI.";

const ON_BEHALF =
  "For the app's service key only: upload on this owner's behalf (a user by its claims, or a client key by its name). The video is then theirs, in their partition at MAVI.";

/** Who the upload is for: the caller, or (for the app's service key) the owner it names. */
function uploaderOf(
  context: GatewayContext,
  owner: { user?: string | null; tenant?: string | null; key?: string | null } | null | undefined,
  passthrough: string | null | undefined,
): Uploader {
  if (!owner) return { ...context.viewer, passthrough: passthrough ?? undefined };
  requireService(context, "uploads on someone's behalf");
  return { ...ownerOf(context, owner), passthrough: passthrough ?? undefined };
}

/** GraphQL's nulls become absences. */
function metadataOf(arg: MetadataArg): UploadMetadata | undefined {
  if (!arg) return undefined;
  return {
    tags: arg.tags ?? undefined,
    capturedAt: arg.capturedAt ?? undefined,
    cameraModel: arg.cameraModel ?? undefined,
    location: arg.location ?? undefined,
    transcriptionPrompt: arg.transcriptionPrompt ?? undefined,
  };
}

builder.mutationField('uploadVideo', (t) =>
  t.field({
    type: Video,
    nullable: true,
    description:
      'Streams a video file to MAVI (MP4, MOV or MKV; WebM or AVI depending on the MAVI API behind the gateway; h264/h265/vp9). Send it as a GraphQL multipart request; the answer comes once MAVI has the whole file. Follow processing with `videoStatus`. One upload per request.',
    args: {
      file: t.arg({ type: 'Upload', required: true, description: 'The video file, as the multipart request maps it.' }),
      metadata: t.arg({ type: UploadMetadataInput, description: 'Optional; see UploadMetadataInput.' }),
      passthrough: t.arg.string({ description: PASSTHROUGH }),
      owner: t.arg({ type: OwnerInput, description: ON_BEHALF }),
    },
    resolve: (_root, { file, metadata, passthrough, owner }, context) => {
      let uploader: Uploader;
      try {
        uploader = uploaderOf(context, owner, passthrough);
      } catch (error) {
        // Refused before the file is read: its bytes are dropped, nothing reaches MAVI.
        discardUnread(file);
        throw error;
      }
      const upload = context.uploads.upload(file, uploader, metadataOf(metadata));
      // The client's slot (MAX_CONCURRENT_UPLOADS_PER_KEY) is held until MAVI has answered, not until it hangs up.
      context.uploadSlot?.holdUntil(upload);
      return upload;
    },
  }),
);

builder.mutationField('uploadVideoFromUrl', (t) =>
  t.field({
    type: Video,
    nullable: true,
    description: `Has MAVI fetch a video from a public http(s) URL itself (at most ${MAX_VIDEO_URL_CHARS} characters; a direct link to the file). Tracked and owned like an uploaded file: follow it with \`videoStatus\`. URLs naming a loopback, private or link-local address are refused (VIDEO_URL_REFUSED).`,
    args: {
      url: t.arg.string({ required: true, description: 'A direct http(s) link to the video file.' }),
      metadata: t.arg({ type: UploadMetadataInput, description: 'Optional; see UploadMetadataInput.' }),
      passthrough: t.arg.string({ description: PASSTHROUGH }),
      owner: t.arg({ type: OwnerInput, description: ON_BEHALF }),
    },
    resolve: (_root, { url, metadata, passthrough, owner }, context) =>
      context.uploads.uploadFromUrl(url, uploaderOf(context, owner, passthrough), metadataOf(metadata)),
  }),
);

/**
 * One file per operation. A request carries one file (the multipart intake reads one), and
 * fields run one after another: with two `uploadVideo` fields, the first would finish at MAVI
 * before the second failed, and the client, seeing an error and no data, would upload again.
 * So at most one field of an operation may take a file (an argument of type Upload).
 */
export const oneUploadPerOperation: ValidationRule = (context) => {
  let uploads = 0;
  return {
    Field(node) {
      const field = context.getFieldDef();
      if (!field || !node.arguments?.some((given) => takesFile(field.args, given.name.value))) return;
      uploads += 1;
      if (uploads === 2) {
        context.reportError(
          gatewayError(
            'ONE_FILE_ONLY',
            `One file per request: only one field that takes a file (uploadVideo, uploadImage, searchImages with a file, searchClipsByImage) may appear in an operation; "${node.name.value}" is another.`,
          ),
        );
      }
    },
  };
};

function takesFile(args: readonly { name: string; type: GraphQLInputType }[], name: string): boolean {
  const arg = args.find((candidate) => candidate.name === name);
  return arg !== undefined && getNamedType(arg.type).name === 'Upload';
}
