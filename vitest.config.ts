import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/** The scenarios that talk to MAVI: upload, callback, subscription, query, polling, refusals, durability. */
const END_TO_END = [
  'upload/upload',
  'upload/hostile-input',
  'upload/video-names',
  'status/status',
  'status/webhook',
  'status/durability',
  'subscriptions/subscriptions',
  'subscriptions/subscription-leaks',
  'videos/video-operations',
  'videos/delete-videos',
  'videos/chat-bounds',
  'mavi/mavi-bounds',
  'edge/security',
  'scale-out/scale-out',
  'operations/metrics',
  'operations/shutdown',
  'operations/start',
  'web/web-app',
  'identity/user-tokens',
  'identity/partitions',
  'resumable/resumable-uploads',
  'mavi/mavi-misconfiguration',
  'mavi/simulator-restart',
];

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
    // Bounds for a test that hangs, generous enough for a machine whose cores are all busy.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Each file starts its own gateways and simulators on free ports; two cores, so two forks.
    pool: 'forks',
    maxWorkers: 2,
    // Every test against the original MAVI API family; the end-to-end ones again against its
    // successor (test/utils/family.ts): one set of tests, both families.
    projects: [
      { extends: true, test: { name: 'original', include: ['test/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'v1',
          include: END_TO_END.map((name) => `test/e2e/${name}.test.ts`),
          env: { TEST_MAVI_API: 'v1' },
        },
      },
    ],
  },
});
