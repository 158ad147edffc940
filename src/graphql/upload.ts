import { uploadRequestFacts } from '../server/multipart-request.js';
import { uploadVideo } from '../upload/upload-video.js';
import { builder } from './builder.js';
import { Video } from './video.js';

builder.mutationField('uploadVideo', (t) =>
  t.field({
    type: Video,
    description:
      'Streams a video file to MAVI (MP4/MOV or Matroska/WebM, h264/h265/vp9). Send it as a GraphQL multipart request; the answer comes once MAVI has the whole file. Follow processing with `videoStatus`.',
    args: { file: t.arg({ type: 'Upload', required: true }) },
    resolve: async (_root, { file }, context) =>
      context.services.uploads.track(
        (async () =>
          uploadVideo(context.services, await file, {
            ownerId: context.ownerId,
            signal: context.request.signal,
            multipart: uploadRequestFacts(context.req),
          }))(),
      ),
  }),
);
