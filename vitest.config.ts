import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    alias: [
      // graphql 16 has no "exports" map: Node loads index.js for Yoga and Pothos, while
      // Vite would pick index.mjs for our sources. Two copies break `instanceof GraphQLError`
      // (every error would be masked), so tests use the copy Node uses.
      { find: /^graphql$/, replacement: require.resolve('graphql') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each file starts its own gateways and simulators on free ports; two cores, so two forks.
    pool: 'forks',
    maxWorkers: 2,
  },
});
