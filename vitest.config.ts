import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * The scenarios whose outcome depends on which MAVI API family answers (its shapes, its
 * callbacks, its partitions): run once per family. Everything else (the edge, hostile input,
 * the process's start and restarts, the web app, scale-out, metrics) runs once, against the
 * original family.
 */
const FAMILY_DEPENDENT = [
  'upload/upload',
  'upload/video-names',
  'status/status',
  'status/webhook',
  'subscriptions/subscriptions',
  'videos/video-operations',
  'videos/delete-videos',
  'videos/chat-bounds',
  'mavi/mavi-bounds',
  'mavi/mavi-misconfiguration',
  'mavi/simulator-restart',
  'identity/user-tokens',
  'identity/partitions',
  'resumable/resumable-uploads',
  'app-backend/app-webhooks',
  'app-backend/owners-and-passthrough',
  'app-backend/service-key',
  'app-backend/erasure',
  'pictures/images',
  'pictures/live-analysis',
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
    // A fork runs file after file in one module graph: the gateway's modules are imported (and
    // transformed) once per fork, not once per file. That halved the suite's import time (118 s of
    // 312 s). Each file still builds its own gateways, stores and simulators: no test shares state.
    isolate: false,
    // Every test against the original MAVI API family; the family-dependent ones again against
    // its successor (test/utils/family.ts).
    projects: [
      {
        extends: true,
        test: {
          name: 'original',
          include: ['test/**/*.test.ts'],
          // The container image is built from the suite's start, beside the tests (test/e2e/image/);
          // in this project only, which holds that test, so that it is built once.
          globalSetup: ['test/global/image-build.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'v1',
          include: FAMILY_DEPENDENT.map((name) => `test/e2e/${name}.test.ts`),
          env: { TEST_MAVI_API: 'v1' },
        },
      },
    ],
  },
});
