/** The one Pothos builder. Domain files register their types on it; graphql/schema.ts builds. */
import SchemaBuilder from '@pothos/core';
import type { IncomingFile } from '../upload/multipart-intake.js';
import type { GatewayContext } from './context.js';

export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  // Fields are non-null unless they say otherwise: a null here would always be a bug.
  DefaultFieldNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    Upload: { Input: Promise<IncomingFile>; Output: never };
    DateTime: { Input: Date; Output: Date | number };
  };
}>({ defaultFieldNullability: false });

builder.queryType({
  description:
    'Reads: your videos as the gateway knows them (video, videos, resumableUpload), and what MAVI answers about them (searchVideos, searchClips, transcript, video details).',
});
builder.mutationType({ description: 'Changes: uploads (a file, or a URL MAVI fetches) and deletes.' });
builder.subscriptionType({
  description:
    "Live answers, over graphql-ws or SSE: a video's status, a resumable upload's progress, a transcript when it is ready, and chat.",
});
