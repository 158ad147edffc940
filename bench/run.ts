/**
 * `npm run bench`: every figure of issues 6, 17 and 37, measured on this machine with
 * the gateway, the clients and the MAVI simulator as separate processes, most of them
 * beside a fair floor run by turns with the gateway, printed as tables and written to
 * bench/RESULTS.md.
 *
 *   npm run bench            the full run (about 30 minutes)
 *   npm run bench -- --quick small sizes, to check that the harness works
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import {
  benchFanOutPairs,
  fanOutLost,
  medianRun,
  fanOutPairsTable,
  fanOutRatio,
  scenarioName,
  type FanOutPairs,
  type FanOutScenario,
} from './fan-out-pairs.js';
import { benchIdleSubscriptions, idleOverFloor, idleRowOf, idleTable } from './idle-subscriptions.js';
import { benchUploadFloor, uploadFloorTable } from './upload-floor.js';
import { fmt, median, signed } from './lib/stats.js';
import { benchUploadForwarding, type UploadRow } from './upload-forwarding.js';
import { benchObservability, observabilityTable } from './observability.js';
import { benchVideoList, listStores, type ListRow } from './video-list.js';
import { benchWebhookIngest, type IngestRow } from './webhook-ingest.js';
import { benchFailingReceiver, benchWebhookDeliveries, countingReceiver, webhookEnv } from './app-webhooks.js';
import { benchStagedReceive, benchStagedUploads } from './staged-upload.js';
import { benchTokenVerification, tokenVerificationTable } from './token-verification.js';

const quick = process.argv.includes('--quick');
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const plan = quick
  ? {
      uploadSizesMiB: [64, 256],
      rounds: 1,
      yogaRounds: 1,
      fanOut: [
        [1000, 1],
        [100, 10],
      ] as [number, number][],
      crossFanOut: [[100, 10]] as [number, number][],
      pairs: 1,
      tokenRequests: 2000,
      ingest: 1000,
      listVideos: 1000,
      observability: { uploadMiB: 64, rounds: 1, subscribers: 1000, passes: 1 },
      floors: { uploadMiB: 128, uploadRounds: 1, idleSubscriptions: 2000, idleRuns: 1 },
    }
  : {
      uploadSizesMiB: [512, 2048],
      rounds: 5,
      yogaRounds: 1,
      // videos × watchers of each
      fanOut: [
        [1000, 1],
        [5000, 1],
        [10000, 1],
        [100, 10],
        [1000, 10],
      ] as [number, number][],
      crossFanOut: [
        [1000, 1],
        [100, 10],
      ] as [number, number][],
      pairs: 3,
      tokenRequests: 20000,
      ingest: 5000,
      listVideos: 5000,
      observability: { uploadMiB: 512, rounds: 3, subscribers: 5000, passes: 3 },
      floors: { uploadMiB: 512, uploadRounds: 3, idleSubscriptions: 10000, idleRuns: 3 },
    };

const log = (line: string) => process.stderr.write(`${line}\n`);
/** Each pair's ratio, as the tables list them. */
const pairList = (ratios: number[]) => ratios.map((ratio) => fmt(ratio, 2)).join(', ');

const started = new Date();

log('upload forwarding…');
const uploads = await benchUploadForwarding(plan.uploadSizesMiB, plan.rounds, plan.yogaRounds);

log('resumable (staged) uploads…');
const staged = await benchStagedUploads(plan.uploadSizesMiB, quick ? 1 : 3);
log('resumable uploads, receiving, against its floors…');
const receive = await benchStagedReceive(plan.floors.uploadMiB, plan.floors.uploadRounds);

/**
 * Fan-out against its fair floor, in pairs (fan-out-pairs.ts): each scenario is videos × watchers
 * of each, over graphql-ws and SSE, and across two instances sharing Redis.
 */
const fanOutScenarios: FanOutScenario[] = [
  ...plan.fanOut.flatMap(([videos, perVideo]) =>
    (['graphql-ws', 'SSE'] as const).map((transport) => ({ transport, videos, perVideo })),
  ),
  ...plan.crossFanOut.map(([videos, perVideo]) => ({
    transport: 'graphql-ws' as const,
    videos,
    perVideo,
    acrossInstancesRedisUrl: redisUrl,
  })),
];
const fanOutResults: FanOutPairs[] = [];
for (const scenario of fanOutScenarios) fanOutResults.push(await benchFanOutPairs(scenario, plan.pairs, log));

log('upload floor: the gateway against a bare pipe proxy…');
const uploadFloor = await benchUploadFloor(plan.floors.uploadMiB, plan.floors.uploadRounds);
log('idle subscriptions…');
const idle = await benchIdleSubscriptions(plan.floors.idleSubscriptions, plan.floors.idleRuns);
log('token verification: a user token against a client key…');
const tokens = await benchTokenVerification(plan.tokenRequests, plan.pairs);

/** Ingest on each store one instance can use: SQLite (the default, each fsync mode) and memory. */
const ingestStores: { store: string; env: Record<string, string> }[] = [
  { store: 'SQLite, synchronous=FULL (default)', env: { STORE: 'sqlite', SQLITE_SYNCHRONOUS: 'full' } },
  { store: 'SQLite, synchronous=NORMAL', env: { STORE: 'sqlite', SQLITE_SYNCHRONOUS: 'normal' } },
  { store: 'memory', env: { STORE: 'memory' } },
];
const ingestRows = [];
for (const { store, env } of ingestStores) {
  log(`webhook ingest: ${plan.ingest} callbacks, ${store}…`);
  ingestRows.push({ store, ...(await benchWebhookIngest(plan.ingest, env)) });
}
const ingest = ingestRows[0]!;

// The app's webhooks: callback ingest with them off and on (SQLite, the default), by turns; with them
// on, the burst starts once every video.registered of the uploads before it is delivered.
const webhookIngest = { off: [] as IngestRow[], on: [] as IngestRow[] };
for (let pair = 1; pair <= plan.pairs; pair += 1) {
  log(`app webhooks: ${plan.ingest} callbacks with webhooks off, then on (pair ${pair} of ${plan.pairs})…`);
  webhookIngest.off.push(await benchWebhookIngest(plan.ingest, { STORE: 'sqlite', SQLITE_SYNCHRONOUS: 'full' }));
  const webhookReceiver = await countingReceiver();
  webhookIngest.on.push(
    await benchWebhookIngest(
      plan.ingest,
      { STORE: 'sqlite', SQLITE_SYNCHRONOUS: 'full', ...webhookEnv(webhookReceiver.url) },
      (videos) => webhookReceiver.reached(videos),
    ),
  );
  await webhookReceiver.close();
}
const webhookIngestRatios = webhookIngest.on.map((on, index) => on.perSecond / webhookIngest.off[index]!.perSecond);
const webhookIngestLost = Math.max(...webhookIngest.on.map((row) => row.lost));
log(`app webhooks: deliveries of ${2 * plan.ingest} events…`);
const deliveries = await benchWebhookDeliveries(plan.ingest);
// A receiver that always answers 500: bursts of ~1,000 events each, and the same bursts with webhooks off.
log('app webhooks: a receiver that always fails…');
const failingBursts = quick ? 1 : 4;
const failing = await benchFailingReceiver(334, failingBursts, 200);
const failingControl = await benchFailingReceiver(334, failingBursts, 200, false);

const listRows: ListRow[] = [];
for (const { store, env } of listStores(redisUrl)) {
  log(`videos list: ${plan.listVideos} videos, ${store}…`);
  listRows.push(...(await benchVideoList(plan.listVideos, store, env)));
}

const uploadTable = [
  '| path | file | rounds | MiB/s (median) | ratio to direct | peak RSS growth | CPU s per GiB: client + server + simulator = total |',
  '|---|---|---|---|---|---|---|',
  ...uploads.map((row: UploadRow) => {
    const { client, server, simulator } = row.cpuPerGiB;
    const growth = row.peakGrowthMiB === undefined ? '–' : `${signed(row.peakGrowthMiB)} MiB`;
    const cpu = `${fmt(client, 2)} + ${fmt(server, 2)} + ${fmt(simulator, 2)} = ${fmt(client + server + simulator, 2)}`;
    return `| ${row.path} | ${row.sizeMiB} MiB | ${row.rounds} | ${fmt(row.mibPerSecond, 0)} | ${fmt(row.ratio, 2)}x | ${growth} | ${cpu} |`;
  }),
];
const stagedTable = [
  "| path | file | rounds | MiB/s received | MiB/s end to end (to MAVI's answer) | last byte received → MAVI's answer | gateway CPU s per GiB | gateway peak RSS growth |",
  '|---|---|---|---|---|---|---|---|',
  ...plan.uploadSizesMiB.flatMap((sizeMiB) => {
    const streamed = uploads.find((row) => row.path === 'gateway' && row.sizeMiB === sizeMiB);
    const stagedRow = staged.find((row) => row.sizeMiB === sizeMiB)!;
    return [
      streamed
        ? `| streamed (\`uploadVideo\`) | ${sizeMiB} MiB | ${streamed.rounds} | ${fmt(streamed.mibPerSecond, 0)} | ${fmt(streamed.mibPerSecond, 0)} | – (MAVI reads as it arrives) | ${fmt(streamed.cpuPerGiB.server, 2)} | ${signed(streamed.peakGrowthMiB ?? 0)} MiB |`
        : [],
      `| staged (tus \`/uploads\`) | ${sizeMiB} MiB | ${stagedRow.rounds} | ${fmt(stagedRow.receiveMiBps, 0)} | ${fmt(stagedRow.endToEndMiBps, 0)} | ${fmt(stagedRow.lastByteToAnswerSeconds, 2)} s | ${fmt(stagedRow.gatewayCpuPerGiB, 2)} | ${signed(stagedRow.peakGrowthMiB)} MiB |`,
    ].flat();
  }),
];
const ingestTable = [
  '| store | callbacks | seconds | callbacks/s | lost |',
  '|---|---|---|---|---|',
  ...ingestRows.map(
    (row) => `| ${row.store} | ${row.callbacks} | ${fmt(row.seconds, 2)} | ${fmt(row.perSecond, 0)} | ${row.lost} |`,
  ),
];

const appWebhookTable = [
  '| measure | figure |',
  '|---|---|',
  `| deliveries to a local receiver (204), from a burst of PARSE callbacks | ${deliveries.events} events in ${fmt(deliveries.seconds, 2)} s: **${fmt(deliveries.perSecond, 0)} events/s** |`,
  `| callback ingest, SQLite FULL, webhooks off, by turns with on | ${webhookIngest.off.map((row) => fmt(row.perSecond, 0)).join(', ')} callbacks/s |`,
  `| callback ingest, SQLite FULL, webhooks on (APP_WEBHOOK_URL) | ${webhookIngest.on.map((row) => fmt(row.perSecond, 0)).join(', ')} callbacks/s: ${fmt(median(webhookIngestRatios), 2)}x of off (pairs ${pairList(webhookIngestRatios)}), lost ${webhookIngestLost} |`,
  ...failing.map(
    (row, index) =>
      `| a receiver that always answers 500 (APP_WEBHOOK_MAX_BACKLOG=200), after ${row.events} events | backlog ${row.backlog}, ${row.attempts} attempts; gateway RSS ${fmt(row.rssMiB, 0)} MiB, heap used ${fmt(row.heapUsedMiB, 0)} MiB (webhooks off, same events: RSS ${fmt(failingControl[index]!.rssMiB, 0)} MiB, heap ${fmt(failingControl[index]!.heapUsedMiB, 0)} MiB) |`,
  ),
];

log('observability cost…');
const observability = observabilityTable(await benchObservability(plan.observability), plan.observability);

const listTable = [
  '| store | videos of the client | pages of 20 | pages read | p50 ms | p99 ms |',
  '|---|---|---|---|---|---|',
  ...listRows.map(
    (row) =>
      `| ${row.store} | ${row.videos} | ${row.case} | ${row.pages} | ${fmt(row.p50Ms, 2)} | ${fmt(row.p99Ms, 2)} |`,
  ),
];

/** Each pair's ratio of a gateway figure to its floor's, and their median. */
const pairRatios = (gateway: number[], floor: number[]) => gateway.map((value, index) => value / floor[index]!);
const ratioCell = (ratios: number[]) => `**${fmt(median(ratios), 2)}x** (pairs ${pairList(ratios)})`;
const largestStaged = staged.at(-1)!;
const uploadPaths = {
  streamed: pairRatios(uploadFloor.gateway.cpuPerGiB, uploadFloor.proxy.cpuPerGiB),
  receive: pairRatios(receive.gateway, receive.pipeline),
  forwarding: pairRatios(largestStaged.floorSends, largestStaged.tails),
  endToEnd: pairRatios(largestStaged.tails, largestStaged.floorSends),
};
const uploadPathsTable = [
  '| path | figure | gateway (median) | floor (median) | gateway against floor | target |',
  '|---|---|---|---|---|---|',
  `| streamed \`uploadVideo\`, ${plan.floors.uploadMiB} MiB | gateway CPU s per GiB | ${fmt(median(uploadFloor.gateway.cpuPerGiB), 2)} | ${fmt(median(uploadFloor.proxy.cpuPerGiB), 2)}: a bare TCP pipe proxy | ${ratioCell(uploadPaths.streamed)} | ≤ 1.3x |`,
  `| staged (tus), receiving, ${receive.sizeMiB} MiB in one PATCH | CPU s per GiB until the last byte is acknowledged | ${fmt(median(receive.gateway), 2)} | ${fmt(median(receive.pipeline), 2)}: \`pipeline(req, file)\` and an fsync | ${ratioCell(uploadPaths.receive)} | ≤ 1.5x |`,
  `| staged (tus), receiving | the same | ${fmt(median(receive.gateway), 2)} | ${fmt(median(receive.tusServer), 2)}: a bare \`@tus/server\` and its FileStore | ${ratioCell(pairRatios(receive.gateway, receive.tusServer))} | – |`,
  `| staged (tus), forwarding, ${largestStaged.sizeMiB} MiB | throughput, last byte received → MAVI's answer | ${fmt(largestStaged.sizeMiB / median(largestStaged.tails), 0)} MiB/s | ${fmt(largestStaged.sizeMiB / median(largestStaged.floorSends), 0)} MiB/s: a bare undici POST of the file from disk | ${ratioCell(uploadPaths.forwarding)} | ≥ 0.8x |`,
  `| staged (tus), end to end, ${largestStaged.sizeMiB} MiB | last byte received → MAVI's answer | ${fmt(median(largestStaged.tails), 2)} s | ${fmt(median(largestStaged.floorSends), 2)} s: the same undici POST | ${ratioCell(uploadPaths.endToEnd)} | ≤ 1.5x |`,
];

/** The Hasura-style summary: one watcher per video at each size, the gateway beside its fair floor. */
const idleKiB = (server: 'gateway' | 'fair floor', transport: 'graphql-ws' | 'SSE') => {
  const row = idleRowOf(idle, server, transport);
  return row ? fmt(median(row.perSubscription) / 1024, 1) : 'n/a';
};
const summaryTable = [
  '| transport | subscribers (1 per video) | event → client p50 ms | p99 ms | server CPU in the burst | RSS per idle subscriber | lost |',
  '|---|---|---|---|---|---|---|',
  ...fanOutResults
    .filter((pairs) => pairs.scenario.perVideo === 1 && !pairs.scenario.acrossInstancesRedisUrl)
    .map((pairs) => {
      const gateway = medianRun(pairs.gateway);
      const floor = medianRun(pairs.floor);
      const { transport } = pairs.scenario;
      return `| ${transport} | ${gateway.subscribers.toLocaleString('en')} | ${fmt(gateway.p50Ms, 0)} (floor ${fmt(floor.p50Ms, 0)}) | ${fmt(gateway.p99Ms, 0)} (floor ${fmt(floor.p99Ms, 0)}) | ${fmt(gateway.gatewayCpuMs, 0)} ms (floor ${fmt(floor.gatewayCpuMs, 0)}) | ${idleKiB('gateway', transport)} KiB (floor ${idleKiB('fair floor', transport)}) | ${fanOutLost(pairs)} |`;
    }),
];

const tables = [
  '## Against floors measured in this run',
  '',
  'Subscriptions, the gateway beside its fair floor (median runs; RSS per idle subscriber at 1 per socket or response):',
  '',
  ...summaryTable,
  '',
  `Fan-out against its fair floor (bench/processes/fan-out-floor.ts: the same callbacks over HTTP, parsed, and one \`graphql-transport-ws\` or SSE frame per subscriber; across instances it publishes through the same Redis), in ${plan.pairs} pairs, gateway then floor, with the same clients. Latency is from each callback's POST to each subscriber's event; server CPU is every server process's during the burst:`,
  '',
  ...fanOutPairsTable(fanOutResults),
  '',
  'Upload paths, each against its floor, in pairs:',
  '',
  ...uploadPathsTable,
  '',
  'Token verification (`{ __typename }`, 32 at a time, one gateway), by turns:',
  '',
  ...tokenVerificationTable(tokens),
  '',
  'Uploads against a bare TCP pipe proxy:',
  '',
  ...uploadFloorTable(uploadFloor),
  '',
  'Idle subscriptions: RSS growth of the gateway and of the fair floor holding the same subscriptions, run by turns:',
  '',
  ...idleTable(idle),
  '',
  `Resumable uploads, receiving (${receive.sizeMiB} MiB in one PATCH, tus-js-client), CPU s per GiB until the last byte is acknowledged, by turns: the gateway, a raw \`pipeline(req, file)\` with an fsync before the answer, and a bare \`@tus/server\` with its FileStore (no sync):`,
  '',
  '| round | gateway | pipeline floor | gateway / pipeline | @tus/server | gateway / @tus/server |',
  '|---|---|---|---|---|---|',
  ...receive.gateway.map(
    (gateway, index) =>
      `| ${index + 1} | ${fmt(gateway, 2)} | ${fmt(receive.pipeline[index]!, 2)} | ${fmt(gateway / receive.pipeline[index]!, 2)}x | ${fmt(receive.tusServer[index]!, 2)} | ${fmt(gateway / receive.tusServer[index]!, 2)}x |`,
  ),
  `| median | ${fmt(median(receive.gateway), 2)} | ${fmt(median(receive.pipeline), 2)} | **${fmt(median(receive.gateway.map((gateway, index) => gateway / receive.pipeline[index]!)), 2)}x** | ${fmt(median(receive.tusServer), 2)} | ${fmt(median(receive.gateway.map((gateway, index) => gateway / receive.tusServer[index]!)), 2)}x |`,
  '',
  '## Upload forwarding',
  ...uploadTable,
  '',
  '## Resumable uploads: staged beside streamed',
  'tus-js-client (Node, from a file) to `/uploads` on a fresh gateway process, staged under its DATA_DIR (each PATCH synced),',
  'then forwarded by the gateway to the simulator; the streamed rows are the gateway rows above.',
  '',
  ...stagedTable,
  '',
  '## Webhook ingest',
  ...ingestTable,
  '',
  "## The app's webhooks",
  ...appWebhookTable,
  '',
  '## Video list (`videos`, one client)',
  ...listTable,
  '',
  '## Observability cost',
  ...observability,
].join('\n');
process.stdout.write(`\n${tables}\n`);

const cpu = cpus();
const machine = `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}`;

// Each target of issues 6, 17 and 37, checked against this run's figures. Issue 37's fair floors
// replace the bare-ws ratios of issue 17.
const gatewayRow = (sizeMiB: number) => uploads.find((row) => row.path === 'gateway' && row.sizeMiB === sizeMiB);
const [small, large] = [gatewayRow(plan.uploadSizesMiB[0]!), gatewayRow(plan.uploadSizesMiB[1]!)];
const targets: [string, string, string, boolean | undefined][] = [
  [
    'upload throughput through the gateway',
    '>= 0.9x direct',
    uploads
      .filter((row) => row.path === 'gateway')
      .map((row) => `${fmt(row.ratio, 2)}x (${row.sizeMiB} MiB)`)
      .join(', '),
    uploads.filter((row) => row.path === 'gateway').every((row) => row.ratio >= 0.9),
  ],
  [
    `peak RSS growth at ${plan.uploadSizesMiB[0]} MiB`,
    '<= 32 MiB',
    `${signed(small?.peakGrowthMiB ?? NaN)} MiB`,
    (small?.peakGrowthMiB ?? Infinity) <= 32,
  ],
  [
    `peak RSS growth at ${plan.uploadSizesMiB[1]} MiB`,
    `no more than at ${plan.uploadSizesMiB[0]} MiB + a few MiB`,
    `${signed(large?.peakGrowthMiB ?? NaN)} MiB`,
    (large?.peakGrowthMiB ?? Infinity) <= (small?.peakGrowthMiB ?? 0) + 4,
  ],
  [
    'webhook ingest (SQLite, the default store)',
    '>= 2,000 callbacks/s, 0 lost',
    `${fmt(ingest.perSecond, 0)}/s, ${ingest.lost} lost`,
    ingest.perSecond >= 2000 && ingest.lost === 0,
  ],
  [
    "callback ingest with the app's webhooks on (issue 35), by turns with them off",
    'within 10 % of without, 0 lost',
    `${fmt(median(webhookIngestRatios), 2)}x (pairs ${pairList(webhookIngestRatios)}), ${webhookIngestLost} lost`,
    median(webhookIngestRatios) >= 0.9 && webhookIngestLost === 0,
  ],
];
// Issue 6's absolute targets, on the nearest shapes this run has.
const fanOutRow = (transport: string, videos: number, perVideo: number, across = false) => {
  const pairs = fanOutResults.find(
    ({ scenario }) =>
      scenario.transport === transport &&
      scenario.videos === videos &&
      scenario.perVideo === perVideo &&
      Boolean(scenario.acrossInstancesRedisUrl) === across,
  );
  return pairs && { row: medianRun(pairs.gateway), lost: fanOutLost(pairs) };
};
for (const [figure, goalMs, found] of [
  ['5,000 subscribers, p99 (5,000 × 1; the 500 × 10 shape is no longer run)', 100, fanOutRow('graphql-ws', 5000, 1)],
  ['10,000 subscribers, p99 (1,000 × 10)', 250, fanOutRow('graphql-ws', 1000, 10)],
  ['cross-instance p99 (100 × 10)', 20, fanOutRow('graphql-ws', 100, 10, true)],
] as const) {
  targets.push([
    figure,
    `<= ${goalMs} ms, 0 lost`,
    found ? `${fmt(found.row.p99Ms)} ms, ${found.lost} lost` : 'not run',
    found ? found.row.p99Ms <= goalMs && found.lost === 0 : undefined,
  ]);
}
for (const pairs of fanOutResults) {
  targets.push([
    `fan-out p99 against its fair floor: ${scenarioName(pairs.scenario)}`,
    '<= 1.5x, 0 lost',
    `${fmt(fanOutRatio(pairs), 2)}x (pairs ${pairList(pairs.ratios)}), ${fanOutLost(pairs)} lost`,
    fanOutRatio(pairs) <= 1.5 && fanOutLost(pairs) === 0,
  ]);
}
const uploadCpuRatio = median(uploadPaths.streamed);
const coldExtraMiB = median(uploadFloor.gateway.coldGrowthMiB) - median(uploadFloor.proxy.coldGrowthMiB);
const idleAtTen = idle.find((row) => row.perSocket === 10);
const idleOver = (transport: 'graphql-ws' | 'SSE') => idleOverFloor(idle, transport);
targets.push(
  [
    'gateway CPU per GiB uploaded, against a bare pipe proxy',
    '<= 1.3x',
    `${fmt(uploadCpuRatio, 2)}x (${fmt(median(uploadFloor.gateway.cpuPerGiB), 2)} against ${fmt(median(uploadFloor.proxy.cpuPerGiB), 2)} s/GiB)`,
    uploadCpuRatio <= 1.3,
  ],
  [
    'first-upload RSS growth in a cold process, against the proxy',
    "<= the proxy's + 8 MiB",
    `${signed(coldExtraMiB)} MiB`,
    coldExtraMiB <= 8,
  ],
  [
    'idle memory per subscription (10 per socket)',
    '<= 4 KB',
    idleAtTen ? `${fmt(median(idleAtTen.perSubscription) / 1000, 2)} KB RSS` : 'not run',
    idleAtTen ? median(idleAtTen.perSubscription) <= 4000 : undefined,
  ],
  [
    'staged upload, receiving CPU per GiB, against `pipeline(req, file)` with an fsync',
    '<= 1.5x',
    `${fmt(median(uploadPaths.receive), 2)}x (pairs ${pairList(uploadPaths.receive)})`,
    median(uploadPaths.receive) <= 1.5,
  ],
  [
    `staged upload, forwarding throughput (${largestStaged.sizeMiB} MiB), against a bare undici POST`,
    '>= 0.8x',
    `${fmt(median(uploadPaths.forwarding), 2)}x (pairs ${pairList(uploadPaths.forwarding)})`,
    median(uploadPaths.forwarding) >= 0.8,
  ],
  [
    "staged upload, last byte received → MAVI's answer, against the bare undici POST's send time",
    '<= 1.5x',
    `${fmt(median(uploadPaths.endToEnd), 2)}x (pairs ${pairList(uploadPaths.endToEnd)})`,
    median(uploadPaths.endToEnd) <= 1.5,
  ],
  ...(['graphql-ws', 'SSE'] as const).map((transport): [string, string, string, boolean | undefined] => {
    const over = idleOver(transport);
    return [
      `idle subscription over ${transport}, one per ${transport === 'SSE' ? 'response' : 'socket'}, against the fair floor`,
      '<= +4 KiB',
      over
        ? `${signed(median(over) / 1024, 2)} KiB (runs ${over.map((bytes) => signed(bytes / 1024, 2)).join(', ')})`
        : 'not run',
      over ? median(over) <= 4096 : undefined,
    ];
  }),
);
const targetTable = [
  '| figure | target | measured | met |',
  '|---|---|---|---|',
  ...targets.map(
    ([figure, goal, measured, met]) =>
      `| ${figure} | ${goal} | ${measured} | ${met === undefined ? '–' : met ? 'yes' : '**no**'} |`,
  ),
].join('\n');

const analysisPath = new URL('./ANALYSIS.md', import.meta.url);
const analysis = existsSync(analysisPath) ? readFileSync(analysisPath, 'utf8') : '';
const target = new URL(quick ? './RESULTS.quick.md' : './RESULTS.md', import.meta.url).pathname;
writeFileSync(
  target,
  [
    `# Benchmark results${quick ? ' (quick run: small sizes, not the targets)' : ''}`,
    '',
    'Written by `npm run bench` (bench/run.ts); the analysis at the end is bench/ANALYSIS.md, written by hand from these runs.',
    '',
    `- date: ${started.toISOString()}`,
    `- machine: ${machine}`,
    `- command: \`npm run bench${quick ? ' -- --quick' : ''}\` (gateway, simulator and the Yoga peer as separate processes; the clients in the bench process)`,
    '',
    '## Targets',
    targetTable,
    '',
    tables.replaceAll('## ', '### ').replace('### Against floors', '## Figures\n\n### Against floors'),
    '',
    analysis,
  ].join('\n'),
);
log(`wrote ${target}`);
