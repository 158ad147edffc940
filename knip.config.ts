// knip: unused files, exports and dependencies (`npm test` runs it). The entries are every
// program the project runs: the gateway, the web app, the benchmarks and the processes they
// spawn, the scripts, and the tests.
import type { KnipConfig } from 'knip';

const config: KnipConfig = {
  entry: ['bench/*.ts', 'bench/processes/*.ts', 'scripts/*.ts', 'scripts/*.mjs', 'test/**/*.test.ts'],
  project: ['src/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'test/**/*.ts'],
  // Programs the tests start that are the machine's, not npm's.
  ignoreBinaries: ['redis-server', 'unshare', 'mount', 'umount', 'buildah'],
  ignoreDependencies: [
    // The README's client recipes import these; test/e2e/web/client-recipes.test.ts runs the recipes as printed.
    '@apollo/client',
    'apollo-upload-client',
    '@urql/core',
    'graphql-sse',
    '@uppy/core',
    '@uppy/tus',
  ],
};

export default config;
