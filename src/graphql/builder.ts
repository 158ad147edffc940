/** The one Pothos builder. Domain files register their types on it; graphql/schema.ts builds. */
import SchemaBuilder from '@pothos/core';
import RelayPlugin, { decodeGlobalID } from '@pothos/plugin-relay';
import { gatewayError } from '../errors.js';
import type { IncomingFile } from '../upload/multipart-intake.js';
import type { GatewayContext } from './context.js';

/** The types a global id may name: each is a `Node`, loaded by its id for the caller only. */
const NODE_TYPES = new Set(['Video', 'ResumableUpload']);

export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  // Fields are non-null unless they say otherwise: a null here would always be a bug.
  DefaultFieldNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    Upload: { Input: Promise<IncomingFile>; Output: never };
    DateTime: { Input: Date; Output: Date | number };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  plugins: [RelayPlugin],
  defaultFieldNullability: false,
  // Global ids and `node(id:)`, so that Relay and Apollo caches key objects without custom code.
  // The connection types stay hand-written in video.ts (their cursors are the list position).
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    idFieldOptions: {
      description: 'A global id (the Relay spec): opaque, unique across types; refetch with `node(id:)`.',
    },
    nodeTypeOptions: { description: 'An object that can be refetched by its global id with `node(id:)`.' },
    nodeQueryOptions: {
      description:
        'The object of yours with this global id (a Video or a ResumableUpload); null when no such object is known to you.',
      args: { id: { description: 'The `id` of a Video or ResumableUpload.' } },
    },
    // One `node` field is what Relay and Apollo need; `nodes(ids:)` would be an unbounded fan-out.
    nodesQueryOptions: false,
    decodeGlobalID: (globalID) => {
      try {
        const decoded = decodeGlobalID(globalID);
        if (NODE_TYPES.has(decoded.typename)) return decoded;
      } catch {
        // falls through to the refusal
      }
      throw gatewayError('INVALID_INPUT', 'The id is not a global id this gateway gave.');
    },
  },
});

builder.queryType({
  description:
    'Reads. Your videos as the gateway knows them (video, videos, node, resumableUpload), and what MAVI answers about them (searchVideos, searchClips, transcript, video details). Every field is nullable: one that fails answers null with its error, and the others still answer.',
});
builder.mutationType({
  description:
    'Changes: uploads (a file, or a URL MAVI fetches) and deletes. Every field is nullable: a refused one answers null with its error.',
});
builder.subscriptionType({
  description:
    "Live answers, over graphql-ws or SSE: a video's status, a resumable upload's progress, a transcript when it is ready, and chat.",
});
