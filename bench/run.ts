/**
 * `npm run bench`: every figure of issue 6, measured on this machine with the
 * gateway, the clients and the MAVI simulator as separate processes, printed as
 * tables and written to bench/RESULTS.md.
 *
 *   npm run bench            the full run (several minutes)
 *   npm run bench -- --quick small sizes, to check that the harness works
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { benchFanOut, type FanOutRow } from './fan-out.js';
import { benchFanOutFloor } from './fan-out-floor.js';
import { fmt } from './lib/stats.js';
import { benchUploadForwarding, type UploadRow } from './upload-forwarding.js';
import { benchWebhookIngest } from './webhook-ingest.js';

const quick = process.argv.includes('--quick');
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const plan = quick
  ? { uploadSizesMiB: [64, 256], rounds: 1, yogaRounds: 1, fanOut: [1000], sse: 200, ingest: 1000, cross: 200 }
  : {
      uploadSizesMiB: [512, 2048],
      rounds: 3,
      yogaRounds: 1,
      fanOut: [1000, 5000, 10000],
      sse: 1000,
      ingest: 5000,
      cross: 1000,
    };

const log = (line: string) => process.stderr.write(`${line}\n`);
const started = new Date();

log('upload forwarding…');
const uploads = await benchUploadForwarding(plan.uploadSizesMiB, plan.rounds, plan.yogaRounds);

const fanOut: FanOutRow[] = [];
for (const subscribers of plan.fanOut) {
  log(`fan-out: ${subscribers} graphql-ws subscribers…`);
  fanOut.push(await benchFanOut({ subscribers, transport: 'graphql-ws' }));
}
log(`fan-out: ${plan.sse} SSE subscribers…`);
fanOut.push(await benchFanOut({ subscribers: plan.sse, transport: 'SSE' }));
log(`fan-out across instances: ${plan.cross} subscribers…`);
fanOut.push(await benchFanOut({ subscribers: plan.cross, transport: 'graphql-ws', acrossInstancesRedisUrl: redisUrl }));
for (const subscribers of plan.fanOut) {
  log(`fan-out floor: ${subscribers} bare websockets…`);
  fanOut.push(await benchFanOutFloor(subscribers));
}

log(`webhook ingest: ${plan.ingest} callbacks…`);
const ingest = await benchWebhookIngest(plan.ingest);

const uploadTable = [
  '| path | file | rounds | MiB/s (median) | ratio to direct | peak RSS growth | CPU s per GiB: client + server + simulator = total |',
  '|---|---|---|---|---|---|---|',
  ...uploads.map((row: UploadRow) => {
    const { client, server, simulator } = row.cpuPerGiB;
    const growth = row.peakGrowthMiB === undefined ? '–' : `+${fmt(row.peakGrowthMiB)} MiB`;
    const cpu = `${fmt(client, 2)} + ${fmt(server, 2)} + ${fmt(simulator, 2)} = ${fmt(client + server + simulator, 2)}`;
    return `| ${row.path} | ${row.sizeMiB} MiB | ${row.rounds} | ${fmt(row.mibPerSecond, 0)} | ${fmt(row.ratio, 2)}x | ${growth} | ${cpu} |`;
  }),
];
const fanOutTable = [
  '| scenario | subscribers | videos | p50 ms | p99 ms | max ms | lost | server CPU in burst | client CPU in burst | burst |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...fanOut.map(
    (row) =>
      `| ${row.scenario} | ${row.subscribers} | ${row.videos} | ${fmt(row.p50Ms)} | ${fmt(row.p99Ms)} | ${fmt(row.maxMs)} | ${row.lost} | ${fmt(row.gatewayCpuMs, 0)} ms | ${fmt(row.clientCpuMs, 0)} ms | ${fmt(row.burstMs, 0)} ms |`,
  ),
];
const ingestTable = [
  '| callbacks | seconds | callbacks/s | lost |',
  '|---|---|---|---|',
  `| ${ingest.callbacks} | ${fmt(ingest.seconds, 2)} | ${fmt(ingest.perSecond, 0)} | ${ingest.lost} |`,
];

const tables = [
  '## Upload forwarding',
  ...uploadTable,
  '',
  '## Subscription fan-out',
  ...fanOutTable,
  '',
  '## Webhook ingest',
  ...ingestTable,
].join('\n');
process.stdout.write(`\n${tables}\n`);

const cpu = cpus();
const machine = `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}`;
const target = process.argv.includes('--out')
  ? process.argv[process.argv.indexOf('--out') + 1]!
  : new URL('./RESULTS.raw.md', import.meta.url).pathname;
writeFileSync(
  target,
  [
    `# Raw benchmark figures${quick ? ' (quick run: small sizes)' : ''}`,
    '',
    `- date: ${started.toISOString()}`,
    `- machine: ${machine}`,
    `- command: \`npm run bench${quick ? ' -- --quick' : ''}\``,
    '',
    tables,
    '',
  ].join('\n'),
);
log(`wrote ${target}`);
