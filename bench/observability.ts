/**
 * What observability costs: upload throughput through the gateway and fan-out
 * p99, each with
 *  - nothing exposed (no METRICS_TOKEN, no OTEL_EXPORTER_OTLP_ENDPOINT): the
 *    counters still count (they cannot be turned off), nobody reads them;
 *  - metrics scraped: METRICS_TOKEN set and /metrics read every second, as
 *    Prometheus would (more often than its usual 15 s);
 *  - tracing: OTEL_EXPORTER_OTLP_ENDPOINT set, spans exported to a local
 *    OTLP/HTTP receiver that accepts and discards them.
 *
 *   npx tsx bench/observability.ts   this benchmark alone; updates its section of bench/RESULTS.md
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'undici';
import { benchFanOut } from './fan-out.js';
import { startGatewayOn, startSimulator } from './lib/child.js';
import { fmt, median } from './lib/stats.js';
import { uploadThroughGateway } from './lib/upload-client.js';

const MiB = 1024 * 1024;
const METRICS_TOKEN = 'bench-metrics-token-0123456789';

export interface ObservabilityRow {
  setting: string;
  uploadMiBPerSecond: number;
  fanOutP99Ms: number;
  fanOutLost: number;
  /** Each pass's figure. */
  runs: { upload: number[]; p99: number[] };
}

/** Accepts OTLP/HTTP exports and drops them. */
async function otlpSink(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Reads /metrics every second while `work` runs, as a Prometheus scraping hard. */
async function scraping<Result>(url: string | undefined, work: () => Promise<Result>): Promise<Result> {
  if (!url) return work();
  const timer = setInterval(() => {
    request(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
      .then((answer) => answer.body.dump())
      .catch(() => undefined);
  }, 1000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

async function uploadRate(env: Record<string, string>, sizeMiB: number, rounds: number, scrape: boolean) {
  const simulator = await startSimulator();
  const gateway = await startGatewayOn(simulator, { MAX_UPLOAD_BYTES: String(8 * 1024 ** 3), ...env });
  try {
    await uploadThroughGateway(`${gateway.url}/graphql`, 16 * MiB); // warm-up
    const rates: number[] = [];
    await scraping(scrape ? gateway.url : undefined, async () => {
      for (let round = 0; round < rounds; round += 1) {
        const timing = await uploadThroughGateway(`${gateway.url}/graphql`, sizeMiB * MiB);
        if (timing.status !== 200 || timing.body.includes('"errors"')) throw new Error(`upload failed: ${timing.body}`);
        rates.push(sizeMiB / timing.seconds);
      }
    });
    return median(rates);
  } finally {
    await gateway.child.stop();
    await simulator.child.stop();
  }
}

export interface ObservabilityPlan {
  uploadMiB: number;
  /** Uploads per pass (their median is the pass's figure). */
  rounds: number;
  subscribers: number;
  passes: number;
}

export async function benchObservability(plan: ObservabilityPlan): Promise<ObservabilityRow[]> {
  const sink = await otlpSink();
  try {
    const settings: { setting: string; env: Record<string, string>; scrape: boolean }[] = [
      { setting: 'nothing exposed', env: {}, scrape: false },
      { setting: 'metrics scraped every second', env: { METRICS_TOKEN }, scrape: true },
      { setting: 'tracing to an OTLP/HTTP receiver', env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url }, scrape: false },
    ];
    // Settings take turns, pass after pass, so that drift on this shared machine spreads over all of them.
    const rates = new Map<string, number[]>();
    const fanOuts = new Map<string, { p99: number[]; lost: number }>();
    for (let pass = 1; pass <= plan.passes; pass += 1) {
      for (const { setting, env, scrape } of settings) {
        process.stderr.write(`observability: ${setting} (pass ${pass} of ${plan.passes})…\n`);
        rates.set(setting, [...(rates.get(setting) ?? []), await uploadRate(env, plan.uploadMiB, plan.rounds, scrape)]);
        // Fan-out gateways are not scraped here: one scrape a second is a few ms of CPU, far from the burst.
        const fanOut = await benchFanOut({ subscribers: plan.subscribers, transport: 'graphql-ws', gatewayEnv: env });
        const seen = fanOuts.get(setting) ?? { p99: [], lost: 0 };
        fanOuts.set(setting, { p99: [...seen.p99, fanOut.p99Ms], lost: seen.lost + fanOut.lost });
      }
    }
    const rows: ObservabilityRow[] = settings.map(({ setting }) => ({
      setting,
      uploadMiBPerSecond: median(rates.get(setting)!),
      fanOutP99Ms: median(fanOuts.get(setting)!.p99),
      fanOutLost: fanOuts.get(setting)!.lost,
      runs: { upload: rates.get(setting)!, p99: fanOuts.get(setting)!.p99 },
    }));
    return rows;
  } finally {
    await sink.close();
  }
}

export function observabilityTable(rows: ObservabilityRow[], plan: ObservabilityPlan): string[] {
  return [
    `| setting | upload MiB/s (${plan.uploadMiB} MiB; median of ${plan.passes} passes of ${plan.rounds}) | each pass | fan-out p99 ms (${plan.subscribers} graphql-ws subscribers; median of ${plan.passes}) | each pass | lost |`,
    '|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.setting} | ${fmt(row.uploadMiBPerSecond, 0)} | ${row.runs.upload.map((rate) => fmt(rate, 0)).join(', ')} | ${fmt(row.fanOutP99Ms)} | ${row.runs.p99.map((p99) => fmt(p99, 0)).join(', ')} | ${row.fanOutLost} |`,
    ),
  ];
}

// Alone: measures, prints, and replaces the "Observability cost" section of RESULTS.md.
if (import.meta.url === `file://${process.argv[1]}`) {
  const plan = { uploadMiB: 512, rounds: 3, subscribers: 5000, passes: 3 };
  const table = observabilityTable(await benchObservability(plan), plan).join('\n');
  process.stdout.write(`${table}\n`);
  const path = new URL('./RESULTS.md', import.meta.url).pathname;
  const results = readFileSync(path, 'utf8');
  const section = `### Observability cost\n\nMeasured alone by \`npx tsx bench/observability.ts\` on ${new Date().toISOString()}.\n\n${table}\n`;
  const start = results.indexOf('### Observability cost');
  const updated =
    start < 0
      ? results.replace('\n## Analysis', `\n${section}\n## Analysis`)
      : results.slice(0, start) + section + results.slice(results.indexOf('\n##', start + 5) + 1 || results.length);
  writeFileSync(path, updated);
}
