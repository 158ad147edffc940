import type { ValidationRule } from 'graphql';
import { gatewayError } from '../errors.js';
import { builder } from './builder.js';
import { Video } from './video.js';

builder.mutationField('uploadVideo', (t) =>
  t.field({
    type: Video,
    description:
      'Streams a video file to MAVI (MP4, MOV or MKV; WebM or AVI depending on the MAVI API behind the gateway; h264/h265/vp9). Send it as a GraphQL multipart request; the answer comes once MAVI has the whole file. Follow processing with `videoStatus`. One upload per request.',
    args: { file: t.arg({ type: 'Upload', required: true }) },
    resolve: (_root, { file }, context) => context.uploads.upload(file, context.ownerId),
  }),
);

/**
 * One upload per operation. Mutation fields run one after another: with two
 * `uploadVideo` fields, the first would finish at MAVI before the second failed,
 * and the client, seeing an error and no data, would upload again.
 */
export const oneUploadPerOperation: ValidationRule = (context) => {
  let uploads = 0;
  return {
    Field(node) {
      if (node.name.value !== 'uploadVideo' || context.getParentType()?.name !== 'Mutation') return;
      uploads += 1;
      if (uploads === 2) {
        context.reportError(
          gatewayError('ONE_FILE_ONLY', 'One upload per request: uploadVideo may appear only once in an operation.'),
        );
      }
    },
  };
};
