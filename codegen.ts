/**
 * GraphQL Code Generator: typed documents for the operations the tests send,
 * generated from the committed schema. `npm run codegen` rewrites
 * test/generated/operations.ts; test/unit/schema.test.ts fails when it is stale.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: 'test/operations/*.graphql',
  generates: {
    'test/generated/operations.ts': {
      plugins: ['typescript', 'typescript-operations', 'typed-document-node'],
      config: {
        scalars: { DateTime: 'string', Upload: 'File', ID: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: true,
      },
    },
  },
};

export default config;
