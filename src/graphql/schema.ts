/** The only importer of the domain files: it builds the executable schema. */
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './scalars.js';
import './error-code.js';
import './video.js';
import './upload.js';
import './video-status.js';
import './video-events.js';
import './erasure.js';
import './app-webhooks.js';
import './search.js';
import './chat.js';
import './transcript.js';
import './resumable-upload.js';
import './pictures.js';
import './live-analysis.js';

export const schema: GraphQLSchema = builder.toSchema();

/** The SDL committed as schema/schema.graphql: sorted, so diffs stay small. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
