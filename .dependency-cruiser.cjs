/**
 * The gateway's architecture, as rules that `npm test` enforces (dependency-cruiser).
 *
 * Folders are layers; imports point down, never up, and never sideways between
 * two folders of the same layer:
 *
 *   index.ts                        the process: configuration, simulator, signals
 *   server/                         builds one gateway: backends, Yoga and its plugins, graphql-ws, shutdown
 *   edge/                           the HTTP edge: routes, the request body, the caller, upload admission, webhooks
 *   graphql/                        the schema: what clients can ask (over the features below)
 *   staging/                        resumable uploads: tus at /uploads, their staging, bounds and forwarding job (over upload/)
 *   images/  live/                  pictures: image libraries and picture search (over upload/, videos/); live-stream analyses
 *   upload/  videos/  webhooks/      the features: one upload; what a client does with its videos; the app's webhooks
 *   status/  kv/                    what the gateway knows of each video (changes applied and published in one step); other records that expire (chats, transcription tasks)
 *   events/                         the event bus and its transports (memory, Redis); pauses a wake-up ends
 *   mavi/  redis/  auth/            clients of MAVI and Redis; client keys and callback tokens;
 *   sqlite/  limits/                the SQLite files and the DATA_DIR lock; rate budgets
 *   config.ts  errors.ts  logger.ts the ground everything stands on (config/: every variable, declared once;
 *                                   net/: where a URL may lead; errors.ts: every code, the one refusal value;
 *   identity.ts                     identity.ts: owners, viewers, callers and groups, and how owner ids are spelt);
 *   metrics/  tracing/              the Prometheus registry every part counts into; spans (OpenTelemetry, opt-in)
 *
 * web/ is the browser app served at `/`: a client of the gateway, built apart (Vite,
 * its own tsconfig) and served as files; it imports nothing of the gateway's.
 *
 * simulator/ is MAVI's stand-in: only index.ts starts it, and it knows nothing of
 * the gateway but MAVI's own shapes (mavi/types.ts).
 */
const layers = [
  ['^src/index\\.ts$'],
  ['^src/server/'],
  ['^src/edge/'],
  ['^src/graphql/'],
  ['^src/staging/'],
  ['^src/images/', '^src/live/'],
  ['^src/upload/', '^src/videos/', '^src/webhooks/'],
  ['^src/status/', '^src/kv/'],
  ['^src/events/'],
  ['^src/mavi/', '^src/redis/', '^src/auth/', '^src/limits/', '^src/sqlite/'],
  ['^src/(config|errors|logger|identity)\\.ts$|^src/(config|net)/', '^src/metrics/', '^src/tracing/'],
];

const upward = layers.slice(1).flatMap((layer, index) =>
  layer.map((from) => ({
    name: `no-upward-import:${from}`,
    comment: 'A layer imports only from the layers below it (see the top of .dependency-cruiser.cjs).',
    severity: 'error',
    from: { path: from },
    to: { path: layers.slice(0, index + 1).flat() },
  })),
);

const sideways = layers
  .filter((layer) => layer.length > 1)
  .flatMap((layer) =>
    layer.map((from) => ({
      name: `no-sideways-import:${from}`,
      comment: 'Folders of one layer are independent of each other.',
      severity: 'error',
      from: { path: from },
      to: { path: layer.filter((other) => other !== from) },
    })),
  );

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No cycles, between modules or folders.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upward,
    ...sideways,
    {
      name: 'simulator-only-from-index',
      comment: 'The gateway never depends on its MAVI stand-in; index.ts starts it when there is no MAVI key.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/index\\.ts$', '^src/simulator/'] },
      to: { path: '^src/simulator/' },
    },
    {
      name: 'dev-identity-only-from-index',
      comment: 'The development OpenID provider signs anyone in: only index.ts starts it, on the simulator.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/index\\.ts$', '^src/dev-identity/'] },
      to: { path: '^src/dev-identity/' },
    },
    {
      name: 'simulator-knows-only-mavi-shapes',
      comment: "The stand-in is built from MAVI's API pages, not from the gateway's code.",
      severity: 'error',
      from: { path: '^src/simulator/' },
      to: { path: '^src/', pathNot: ['^src/simulator/', '^src/mavi/types\\.ts$'] },
    },
    {
      name: 'web-app-is-a-client',
      comment:
        'web/ is the browser app: it speaks GraphQL over the network, like any client, and imports no gateway code.',
      severity: 'error',
      from: { path: '^src/web/' },
      to: { path: '^src/', pathNot: '^src/web/' },
    },
    {
      name: 'nothing-imports-the-web-app',
      comment: 'The gateway serves the web app as built files (dist/web/), never as code.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/web/' },
      to: { path: '^src/web/' },
    },
    {
      name: 'no-test-code-in-src',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
