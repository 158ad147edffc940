/**
 * Pictures: `uploadImage`, `images`, `deleteImages`, `searchImages` and `searchClipsByImage`.
 * A picture comes as a GraphQL multipart request, as a video does (one file per request).
 */
import {
  DEFAULT_MIN_SIMILARITY,
  MAX_DELETE_IMAGES,
  MAX_IMAGE_SEARCH_VIDEOS,
  type ClipOfPicture,
  type FoundImage,
} from '../images/image-library.js';
import type { ImagePage, ImagePosition, ImageRecord } from '../images/image-store.js';
import { MAX_PAGE_SIZE, MAX_QUERY_CHARS } from '../videos/video-library.js';
import { builder } from './builder.js';
import { decodeCursor, encodeCursor, PageInfo, pageInfoOf } from './pages.js';
import { Video } from './video.js';

const UNSUPPORTED = 'The original MAVI family (MAVI_API=original) has no pictures: UNSUPPORTED_BY_MAVI there.';

const Image = builder.objectRef<ImageRecord>('Image').implement({
  description: `A picture in your image library at MAVI. ${UNSUPPORTED}`,
  fields: (t) => ({
    imageId: t.exposeID('imageId', {
      description: "MAVI's id for the picture, exactly as MAVI gave it (digits; kept as a string, never rounded).",
    }),
    name: t.exposeString('name', { description: 'The file name it was uploaded with.' }),
    contentType: t.exposeString('contentType', {
      description: 'Its type, as read from its bytes (image/jpeg, image/png, image/gif, image/bmp, image/webp).',
    }),
    size: t.exposeInt('sizeBytes', { description: 'Its size in bytes.' }),
    uploadedAt: t.field({
      type: 'DateTime',
      description: 'When it was uploaded.',
      resolve: (image) => image.uploadedAt,
    }),
  }),
});

const ImageEdge = builder.objectRef<ImageRecord>('ImageEdge').implement({
  description: 'A picture in a list, with its place in it.',
  fields: (t) => ({
    node: t.field({ type: Image, description: 'The picture.', resolve: (record) => record }),
    cursor: t.string({ description: 'Pass as `after` to continue after this picture.', resolve: imageCursor }),
  }),
});

type ImageConnectionValue = ImagePage & { after: ImagePosition | undefined };

const ImageConnection = builder.objectRef<ImageConnectionValue>('ImageConnection').implement({
  description: 'A page of your pictures, newest first.',
  fields: (t) => ({
    edges: t.field({
      type: [ImageEdge],
      description: 'The pictures, each with its cursor.',
      resolve: (page) => page.records,
    }),
    nodes: t.field({
      type: [Image],
      description: 'The pictures (the edges without cursors).',
      resolve: (page) => page.records,
    }),
    pageInfo: t.field({
      type: PageInfo,
      description: 'Where the page starts and ends, and whether more follow.',
      resolve: (page) => pageInfoOf(page, imageCursor),
    }),
  }),
});

const ImageMatch = builder.objectRef<FoundImage>('ImageMatch').implement({
  description: 'A picture of yours that matches a search.',
  fields: (t) => ({
    image: t.field({ type: Image, description: 'The picture.', resolve: (match) => match.record }),
    score: t.float({
      nullable: true,
      description: "MAVI's score, 0 to 1; null when MAVI gave none.",
      resolve: (match) => match.score,
    }),
  }),
});

const ImageClip = builder.objectRef<ClipOfPicture>('ImageClip').implement({
  description: 'A moment in one of your videos that matches a picture.',
  fields: (t) => ({
    videoNo: t.exposeID('videoNo', { description: 'The video the moment is in.' }),
    video: t.field({
      type: Video,
      nullable: true,
      description: 'The video (null if it was deleted meanwhile).',
      resolve: (clip, _args, context) => context.library.findOwned(context.viewer, clip.videoNo),
    }),
    startTime: t.float({ description: 'Where the moment starts, in seconds.', resolve: (clip) => clip.startSeconds }),
    endTime: t.float({ description: 'Where it ends, in seconds.', resolve: (clip) => clip.endSeconds }),
    score: t.float({
      nullable: true,
      description: "MAVI's score, 0 to 1; null when MAVI gave none.",
      resolve: (clip) => clip.score,
    }),
  }),
});

builder.mutationField('uploadImage', (t) =>
  t.field({
    type: Image,
    nullable: true,
    description: `Streams a picture (JPEG, PNG, GIF, BMP or WebP, told by its bytes; at most 20 MB) into your image library at MAVI, as a GraphQL multipart request. Find it again with \`searchImages\`. ${UNSUPPORTED}`,
    args: {
      file: t.arg({ type: 'Upload', required: true, description: 'The picture, as the multipart request maps it.' }),
    },
    resolve: (_root, { file }, context) => {
      const upload = context.images.upload(file, context.viewer, context.signal);
      // The client's upload slot is held until MAVI has answered, as for a video.
      context.uploadSlot?.holdUntil(upload);
      return upload;
    },
  }),
);

builder.queryField('images', (t) =>
  t.field({
    type: ImageConnection,
    nullable: true,
    description: `Your pictures, newest first, from the gateway's records (MAVI has no list of them). At most ${MAX_PAGE_SIZE} per page.`,
    args: {
      first: t.arg.int({ defaultValue: 20, description: `Page size, 1 to ${MAX_PAGE_SIZE}.` }),
      after: t.arg.string({ description: "A cursor from the previous page's `pageInfo.endCursor` (or an edge)." }),
    },
    resolve: async (_root, args, context) => {
      const position = args.after ? decodeCursor(args.after) : undefined;
      const after = position && { uploadedAt: position.time, imageId: position.id };
      return { ...(await context.images.list(context.viewer, args.first ?? 20, after)), after };
    },
  }),
);

const DeleteImagesResult = builder.objectRef<{ deleted: string[] }>('DeleteImagesResult').implement({
  description: 'What deleteImages did.',
  fields: (t) => ({
    deleted: t.field({
      type: ['ID'],
      description:
        'The pictures removed from your library by this call. Unknown ones, and ones already deleted, are not listed.',
      resolve: (result) => result.deleted,
    }),
  }),
});

builder.mutationField('deleteImages', (t) =>
  t.field({
    type: DeleteImagesResult,
    nullable: true,
    description: `Removes pictures from your library (at most ${MAX_DELETE_IMAGES} per call): they are no longer listed or found by searchImages. MAVI documents no way to delete a picture, so its copy stays there (docs/mavi-families.md). Safe to repeat.`,
    args: { imageIds: t.arg.idList({ required: true, description: 'The pictures to delete.' }) },
    resolve: async (_root, { imageIds }, context) => ({
      deleted: await context.images.delete(context.viewer, imageIds.map(String)),
    }),
  }),
);

builder.queryField('searchImages', (t) =>
  t.field({
    type: [ImageMatch],
    nullable: true,
    description: `Pictures of your library that match a text query, or look like a picture you send (a multipart request; the picture is never stored): exactly one of the two. Best first. Spends MAVI credits: limited per client (RATE_LIMITED). ${UNSUPPORTED}`,
    args: {
      query: t.arg.string({ description: `What to look for, at most ${MAX_QUERY_CHARS} characters.` }),
      file: t.arg({ type: 'Upload', description: 'A picture to find look-alikes of (at most 20 MB).' }),
      first: t.arg.int({ defaultValue: 10, description: `The most pictures to answer, 1 to ${MAX_PAGE_SIZE}.` }),
      minSimilarity: t.arg.float({
        description: `With \`file\`: how alike, 0 to 1 (MAVI's \`similarity\`); ${DEFAULT_MIN_SIMILARITY} when absent.`,
      }),
    },
    resolve: (_root, args, context) =>
      context.images.search(context.viewer, {
        query: args.query ?? undefined,
        file: args.file ?? undefined,
        first: args.first ?? 10,
        minSimilarity: args.minSimilarity ?? undefined,
        signal: context.signal,
      }),
  }),
);

builder.queryField('searchClipsByImage', (t) =>
  t.field({
    type: [ImageClip],
    nullable: true,
    description: `The moments in your videos that match a picture (a multipart request; the picture is never stored) and a question about it, best first. Each video named is one search at MAVI, and one turn of your search budget (RATE_LIMITED). A video that is not yours is VIDEO_NOT_FOUND, and nothing is sent. ${UNSUPPORTED}`,
    args: {
      file: t.arg({ type: 'Upload', required: true, description: 'The picture (at most 20 MB).' }),
      videoNos: t.arg.idList({
        required: true,
        description: `The videos to search, 1 to ${MAX_IMAGE_SEARCH_VIDEOS} of yours.`,
      }),
      prompt: t.arg.string({
        required: true,
        description: `What to find about the picture ("where does this jacket appear?"), at most ${MAX_QUERY_CHARS} characters.`,
      }),
    },
    resolve: (_root, args, context) =>
      context.images.searchClips(context.viewer, {
        file: args.file,
        videoNos: args.videoNos.map(String),
        prompt: args.prompt,
        signal: context.signal,
      }),
  }),
);

function imageCursor(position: ImagePosition): string {
  return encodeCursor(position.uploadedAt, position.imageId);
}
