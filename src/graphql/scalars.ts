import { GraphQLError, Kind } from 'graphql';
import { Upload } from 'graphql-upload-minimal';
import type { IncomingFile } from '../upload/multipart-intake.js';
import { builder } from './builder.js';

builder.scalarType('Upload', {
  description:
    'A file sent per the GraphQL multipart request spec (https://github.com/jaydenseric/graphql-multipart-request-spec). Input only.',
  serialize: () => {
    throw new GraphQLError('Upload is an input-only scalar.');
  },
  parseValue: (value) => {
    // Upload values are made only by the multipart intake, which settles them with an IncomingFile.
    if (value instanceof Upload) return value.promise as unknown as Promise<IncomingFile>;
    throw new GraphQLError('Upload values must be sent as a multipart request file.');
  },
  parseLiteral: () => {
    throw new GraphQLError('Upload values must be sent as a multipart request file, not inline.');
  },
});

const parseDate = (value: unknown): Date => {
  const date = typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new GraphQLError('DateTime must be an ISO-8601 date-time string.');
  }
  return date;
};

builder.scalarType('DateTime', {
  description: 'An instant, as an ISO-8601 string in UTC (for example 2026-01-31T12:00:00.000Z).',
  serialize: (value) => new Date(value).toISOString(),
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

builder.scalarType('JSON', {
  description: 'Any JSON value, as it was received (output only here: what MAVI sent, kept whole).',
  serialize: (value) => value,
  parseValue: () => {
    throw new GraphQLError('JSON is an output-only scalar here.');
  },
  parseLiteral: () => {
    throw new GraphQLError('JSON is an output-only scalar here.');
  },
});
