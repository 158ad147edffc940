/**
 * Resumable uploads, seen from GraphQL: the state of an upload sent to /uploads
 * (tus), by its id, once and as it changes. The upload itself is tus's; once
 * MAVI has registered the video, `videoStatus` takes over.
 */
import { gatewayError } from '../errors.js';
import type { ProgressEvent, UploadProgress } from '../staging/progress-feed.js';
import { builder } from './builder.js';
import { ErrorCode } from './error-code.js';
import type { GatewayContext } from './context.js';
import { Video } from './video.js';

const ResumableUploadState = builder.enumType('ResumableUploadState', {
  description: 'Where a resumable upload stands.',
  values: {
    RECEIVING: { description: 'The gateway is receiving the file (resume it with tus from `offset`).' },
    FORWARDING: {
      description:
        'Every byte is staged; the gateway is sending the file to MAVI (`bytesForwarded`), or waits to retry (`errorCode` says why).',
    },
    REGISTERED: { description: 'MAVI has the file: `videoNo` names the video; follow it with `videoStatus`.' },
    FAILED: { description: 'The upload ended without a video: `errorCode` says why. Its bytes were removed.' },
  } as const,
});

const ResumableUpload = builder.node(builder.objectRef<UploadProgress>('ResumableUpload'), {
  description: 'A resumable upload (tus, at /uploads) and how far it has come.',
  id: { resolve: (upload) => upload.id },
  // With resumable uploads off there are none: every id is unknown.
  loadOne: (uploadId, context) => context.resumableUploads?.progress(uploadId, context.viewer),
  fields: (t) => ({
    uploadId: t.exposeID('id', { description: "The tus upload's id: the last segment of its URL." }),
    fileName: t.exposeString('fileName', { description: 'The file name, from the `filename` upload metadata.' }),
    state: t.field({ type: ResumableUploadState, description: 'Where the upload stands.', resolve: (u) => u.state }),
    length: t.float({ description: "The file's size in bytes (Upload-Length).", resolve: (u) => u.length }),
    offset: t.float({ description: 'Bytes received and staged so far (Upload-Offset).', resolve: (u) => u.offset }),
    bytesForwarded: t.float({
      description: 'Bytes sent to MAVI in the current (or last) attempt.',
      resolve: (u) => u.bytesForwarded,
    }),
    attempts: t.exposeInt('attempts', { description: 'Attempts to send the file to MAVI so far.' }),
    errorCode: t.field({
      type: ErrorCode,
      nullable: true,
      description:
        'Why the last attempt failed: a transient code while FORWARDING (it is retried), the final one when FAILED (UPLOAD_EXPIRED for an upload not finished in time).',
      resolve: (u) => u.errorCode ?? null,
    }),
    errorMessage: t.string({
      nullable: true,
      description: 'The same, in words.',
      resolve: (u) => u.errorMessage ?? null,
    }),
    videoNo: t.id({
      nullable: true,
      description: "MAVI's id for the video, once REGISTERED.",
      resolve: (u) => u.videoNo ?? null,
    }),
    video: t.field({
      type: Video,
      nullable: true,
      description: 'The video, once REGISTERED (while it exists).',
      resolve: (u, _args, context: GatewayContext) =>
        u.videoNo === undefined ? null : context.library.findOwned(context.viewer, u.videoNo),
    }),
    expiresAt: t.field({
      type: 'DateTime',
      description:
        'RECEIVING: when the upload expires unfinished. FORWARDING: when retrying stops. Otherwise: when this record is forgotten.',
      resolve: (u) => u.expiresAt,
    }),
  }),
});

function resumableUploadsOf(context: GatewayContext) {
  if (!context.resumableUploads) throw gatewayError('RESUMABLE_UPLOADS_OFF');
  return context.resumableUploads;
}

builder.queryField('resumableUpload', (t) =>
  t.field({
    type: ResumableUpload,
    nullable: true,
    description: 'A resumable upload of yours, by its tus id; null when no such upload is known to you.',
    args: { uploadId: t.arg.id({ required: true, description: "The tus upload's id (the last segment of its URL)." }) },
    resolve: async (_root, { uploadId }, context) =>
      (await resumableUploadsOf(context).progress(String(uploadId), context.viewer)) ?? null,
  }),
);

builder.subscriptionField('resumableUploadProgress', (t) =>
  t.field({
    type: ResumableUpload,
    description:
      "A resumable upload's state now, then at each change: bytes received (about twice a second), forwarding to MAVI, retries; completes after REGISTERED or FAILED. Unknown uploads fail with UPLOAD_NOT_FOUND, and so does an upload deleted while followed.",
    args: { uploadId: t.arg.id({ required: true, description: "The tus upload's id (the last segment of its URL)." }) },
    subscribe: async (_root, { uploadId }, context) => {
      const feed = await resumableUploadsOf(context).follow(String(uploadId), context.viewer);
      if (!feed) throw gatewayError('UPLOAD_NOT_FOUND');
      return feed;
    },
    resolve: (event: ProgressEvent) => {
      if ('removed' in event) throw gatewayError('UPLOAD_NOT_FOUND', 'The upload was deleted.');
      return event;
    },
  }),
);
