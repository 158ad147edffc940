/**
 * `npm run bench`: every figure of issue 6, measured on this machine with the
 * gateway, the clients and the MAVI simulator as separate processes, printed as
 * tables and written to bench/RESULTS.md.
 *
 *   npm run bench            the full run (several minutes)
 *   npm run bench -- --quick small sizes, to check that the harness works
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { benchFanOut, type FanOutRow } from './fan-out.js';
import { benchFanOutFloor } from './fan-out-floor.js';
import { benchIdleSubscriptions, idleTable } from './idle-subscriptions.js';
import { benchUploadFloor, uploadFloorTable } from './upload-floor.js';
import { fmt, median, signed } from './lib/stats.js';
import { benchUploadForwarding, type UploadRow } from './upload-forwarding.js';
import { benchObservability, observabilityTable } from './observability.js';
import { benchVideoList, listStores, type ListRow } from './video-list.js';
import { benchWebhookIngest } from './webhook-ingest.js';
import { benchFailingReceiver, benchWebhookDeliveries, countingReceiver, webhookEnv } from './app-webhooks.js';
import { benchStagedReceive, benchStagedUploads } from './staged-upload.js';

const quick = process.argv.includes('--quick');
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const plan = quick
  ? {
      uploadSizesMiB: [64, 256],
      rounds: 1,
      yogaRounds: 1,
      fanOut: [1000],
      sse: 200,
      ingest: 1000,
      cross: 200,
      repeats: 1,
      listVideos: 1000,
      observability: { uploadMiB: 64, rounds: 1, subscribers: 1000, passes: 1 },
      floors: { uploadMiB: 128, uploadRounds: 1, idleSubscriptions: 2000, idleRuns: 1 },
    }
  : {
      uploadSizesMiB: [512, 2048],
      rounds: 5,
      yogaRounds: 1,
      fanOut: [1000, 5000, 10000],
      sse: 1000,
      ingest: 5000,
      cross: 1000,
      repeats: 3,
      listVideos: 5000,
      observability: { uploadMiB: 512, rounds: 3, subscribers: 5000, passes: 3 },
      floors: { uploadMiB: 512, uploadRounds: 3, idleSubscriptions: 10000, idleRuns: 3 },
    };

const log = (line: string) => process.stderr.write(`${line}\n`);
const started = new Date();

log('upload forwarding…');
const uploads = await benchUploadForwarding(plan.uploadSizesMiB, plan.rounds, plan.yogaRounds);

log('resumable (staged) uploads…');
const staged = await benchStagedUploads(plan.uploadSizesMiB, quick ? 1 : 3);
log('resumable uploads, receiving, against its floors…');
const receive = await benchStagedReceive(plan.floors.uploadMiB, plan.floors.uploadRounds);

/**
 * Fan-out p99 varies by about ±10 % from run to run here: each scenario runs `repeats`
 * times; the run with the median p99 is reported, with every run's p99 and the most
 * events any run lost.
 */
function summarized(runs: FanOutRow[]): FanOutRow {
  const sorted = [...runs].sort((a, b) => a.p99Ms - b.p99Ms);
  // Losses count from every run, not only the reported one.
  const lost = Math.max(...runs.map((row) => row.lost));
  return { ...sorted[Math.floor(sorted.length / 2)]!, lost, p99Runs: runs.map((row) => row.p99Ms) };
}

async function repeated(label: string, run: () => Promise<FanOutRow>): Promise<FanOutRow> {
  const runs: FanOutRow[] = [];
  for (let attempt = 1; attempt <= plan.repeats; attempt += 1) {
    log(`${label} (run ${attempt} of ${plan.repeats})…`);
    runs.push(await run());
  }
  return summarized(runs);
}

/** A gateway scenario's floor runs, and the ratio of each gateway run to the floor run right after it. */
const floors = new Map<FanOutRow, { floor: FanOutRow; ratios: number[] }>();

/**
 * The gateway's runs and the bare-ws floor's alternate, so that the machine's speed,
 * which drifts here from minute to minute, reaches both alike: each gateway run is
 * divided by the floor run right after it, and the median of those ratios is reported.
 */
async function pairedWithFloor(label: string, subscribers: number, run: () => Promise<FanOutRow>): Promise<FanOutRow> {
  const gatewayRuns: FanOutRow[] = [];
  const floorRuns: FanOutRow[] = [];
  for (let attempt = 1; attempt <= plan.repeats; attempt += 1) {
    log(`${label} (run ${attempt} of ${plan.repeats})…`);
    gatewayRuns.push(await run());
    log(`  its floor: ${subscribers} bare websockets…`);
    floorRuns.push(await benchFanOutFloor(subscribers));
  }
  const gateway = summarized(gatewayRuns);
  floors.set(gateway, {
    floor: summarized(floorRuns),
    ratios: gatewayRuns.map((row, index) => row.p99Ms / floorRuns[index]!.p99Ms),
  });
  return gateway;
}

const fanOut: FanOutRow[] = [];
for (const subscribers of plan.fanOut) {
  fanOut.push(
    await pairedWithFloor(`fan-out: ${subscribers} graphql-ws subscribers`, subscribers, () =>
      benchFanOut({ subscribers, transport: 'graphql-ws' }),
    ),
  );
}
const onePerVideo = plan.fanOut[1] ?? plan.fanOut[0]!;
fanOut.push(
  await pairedWithFloor(`fan-out: ${onePerVideo} graphql-ws subscribers, 1 per video`, onePerVideo, () =>
    benchFanOut({ subscribers: onePerVideo, transport: 'graphql-ws', perVideo: 1 }),
  ),
);
fanOut.push(
  await repeated(`fan-out: ${plan.sse} SSE subscribers`, () =>
    benchFanOut({ subscribers: plan.sse, transport: 'SSE' }),
  ),
);
fanOut.push(
  await repeated(`fan-out across instances: ${plan.cross} subscribers`, () =>
    benchFanOut({ subscribers: plan.cross, transport: 'graphql-ws', acrossInstancesRedisUrl: redisUrl }),
  ),
);
// The floors of the 10-per-video scenarios, as rows of the fan-out table.
for (const subscribers of plan.fanOut) {
  const paired = floors.get(wsRowOf(subscribers)!);
  if (paired) fanOut.push(paired.floor);
}

log('upload floor: the gateway against a bare pipe proxy…');
const uploadFloor = await benchUploadFloor(plan.floors.uploadMiB, plan.floors.uploadRounds);
log('idle subscriptions…');
const idle = await benchIdleSubscriptions(plan.floors.idleSubscriptions, plan.floors.idleRuns);

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

// The app's webhooks: deliveries a second, and callback ingest with them on (SQLite, the default).
log(`app webhooks: ${plan.ingest} callbacks with webhooks on…`);
const webhookReceiver = await countingReceiver();
const ingestWithWebhooks = await benchWebhookIngest(plan.ingest, {
  STORE: 'sqlite',
  SQLITE_SYNCHRONOUS: 'full',
  ...webhookEnv(webhookReceiver.url),
});
await webhookReceiver.close();
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

function wsRowOf(subscribers: number): FanOutRow | undefined {
  return fanOut.find((row) => row.scenario === 'graphql-ws' && row.subscribers === subscribers);
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
const fanOutTable = [
  '| scenario | subscribers | videos | p50 ms | p99 ms | max ms | lost | server CPU in burst | client CPU in burst | burst | p99 of every run |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...fanOut.map(
    (row) =>
      `| ${row.scenario} | ${row.subscribers} | ${row.videos} | ${fmt(row.p50Ms)} | ${fmt(row.p99Ms)} | ${fmt(row.maxMs)} | ${row.lost} | ${fmt(row.gatewayCpuMs, 0)} ms | ${fmt(row.clientCpuMs, 0)} ms | ${fmt(row.burstMs, 0)} ms | ${(row.p99Runs ?? [row.p99Ms]).map((p99) => fmt(p99, 0)).join(', ')} |`,
  ),
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
  `| callback ingest, SQLite FULL, webhooks off | ${fmt(ingest.perSecond, 0)} callbacks/s |`,
  `| callback ingest, SQLite FULL, webhooks on (APP_WEBHOOK_URL) | ${fmt(ingestWithWebhooks.perSecond, 0)} callbacks/s (${signed(Math.round((ingestWithWebhooks.perSecond / ingest.perSecond - 1) * 100))} %), lost ${ingestWithWebhooks.lost} |`,
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

/** Fan-out p99 against the bare-ws floor run next to it, per scenario. */
const fanOutRatios = [
  '| subscribers | gateway p99 ms (every run) | bare-ws floor p99 ms (every run, each right after a gateway run) | ratio of each pair | ratio (median) | lost |',
  '|---|---|---|---|---|---|',
  ...fanOut.flatMap((gateway) => {
    const paired = floors.get(gateway);
    if (!paired) return [];
    const runs = (row: FanOutRow) => (row.p99Runs ?? [row.p99Ms]).map((p99) => fmt(p99, 0)).join(', ');
    return [
      `| ${gateway.subscribers} on ${gateway.videos} videos | ${fmt(gateway.p99Ms, 0)} (${runs(gateway)}) | ${fmt(paired.floor.p99Ms, 0)} (${runs(paired.floor)}) | ${paired.ratios.map((ratio) => `${fmt(ratio, 2)}x`).join(', ')} | ${fmt(median(paired.ratios), 2)}x | ${gateway.lost} |`,
    ];
  }),
];

const tables = [
  '## Against floors measured in this run',
  '',
  'Fan-out (graphql-ws; 10 subscribers per video, and 1) against bare `ws` sends, the two run by turns:',
  '',
  ...fanOutRatios,
  '',
  'Uploads against a bare TCP pipe proxy:',
  '',
  ...uploadFloorTable(uploadFloor),
  '',
  'Idle subscriptions (gateway RSS growth):',
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
  '## Subscription fan-out',
  ...fanOutTable,
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

// Each target of issues 6 and 17, checked against this run's figures.
const gatewayRow = (sizeMiB: number) => uploads.find((row) => row.path === 'gateway' && row.sizeMiB === sizeMiB);
const wsRow = wsRowOf;
const crossRow = fanOut.find((row) => row.scenario.includes('across'));
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
    '5,000 subscribers, p99',
    '<= 100 ms, 0 lost',
    wsRow(5000) ? `${fmt(wsRow(5000)!.p99Ms)} ms, ${wsRow(5000)!.lost} lost` : 'not run',
    wsRow(5000) ? wsRow(5000)!.p99Ms <= 100 && wsRow(5000)!.lost === 0 : undefined,
  ],
  [
    '10,000 subscribers, p99',
    '<= 250 ms, 0 lost',
    wsRow(10000) ? `${fmt(wsRow(10000)!.p99Ms)} ms, ${wsRow(10000)!.lost} lost` : 'not run',
    wsRow(10000) ? wsRow(10000)!.p99Ms <= 250 && wsRow(10000)!.lost === 0 : undefined,
  ],
  [
    'webhook ingest (SQLite, the default store)',
    '>= 2,000 callbacks/s, 0 lost',
    `${fmt(ingest.perSecond, 0)}/s, ${ingest.lost} lost`,
    ingest.perSecond >= 2000 && ingest.lost === 0,
  ],
  [
    "callback ingest with the app's webhooks on (issue 35)",
    'within 10 % of without, 0 lost',
    `${fmt(ingestWithWebhooks.perSecond, 0)}/s against ${fmt(ingest.perSecond, 0)}/s, ${ingestWithWebhooks.lost} lost`,
    ingestWithWebhooks.perSecond >= 0.9 * ingest.perSecond && ingestWithWebhooks.lost === 0,
  ],
  [
    'cross-instance p99',
    '<= 20 ms',
    crossRow ? `${fmt(crossRow.p99Ms)} ms (${crossRow.subscribers} subscribers)` : 'not run',
    crossRow ? crossRow.p99Ms <= 20 : undefined,
  ],
];
// Issue 17's targets: ratios to the floors measured in this same run.
const fanOutRatio = (subscribers: number) => {
  const gateway = wsRow(subscribers);
  const paired = gateway && floors.get(gateway);
  return gateway && paired ? { ratio: median(paired.ratios), lost: gateway.lost } : undefined;
};
for (const [subscribers, limit] of [
  [5000, 2.0],
  [10000, 2.5],
] as const) {
  const measured = fanOutRatio(subscribers);
  targets.push([
    `fan-out p99 against the bare-ws floor, ${subscribers} subscribers (10 per video)`,
    `<= ${fmt(limit, 1)}x, 0 lost`,
    measured ? `${fmt(measured.ratio, 2)}x, ${measured.lost} lost` : 'not run',
    measured ? measured.ratio <= limit && measured.lost === 0 : undefined,
  ]);
}
const uploadCpuRatio = median(uploadFloor.gateway.cpuPerGiB) / median(uploadFloor.proxy.cpuPerGiB);
const coldExtraMiB = median(uploadFloor.gateway.coldGrowthMiB) - median(uploadFloor.proxy.coldGrowthMiB);
const idleAtTen = idle.find((row) => row.perSocket === 10);
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
