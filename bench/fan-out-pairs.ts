/**
 * Fan-out against its fair floor (issue 37), in pairs: for each scenario the gateway runs, then the
 * floor (processes/fan-out-floor.ts) with the same clients, and again, so that the machine's speed,
 * which drifts here from minute to minute, reaches both alike. Each pair gives a ratio of p99s;
 * the median of the ratios is the figure.
 */
import { benchFanOut, type FanOutOptions, type FanOutRow } from './fan-out.js';
import { fmt, median } from './lib/stats.js';

export interface FanOutScenario {
  transport: FanOutOptions['transport'];
  videos: number;
  perVideo: number;
  acrossInstancesRedisUrl?: string;
}

export interface FanOutPairs {
  scenario: FanOutScenario;
  gateway: FanOutRow[];
  floor: FanOutRow[];
  /** Gateway p99 / floor p99, per pair. */
  ratios: number[];
}

export const scenarioName = ({ transport, videos, perVideo, acrossInstancesRedisUrl }: FanOutScenario) =>
  `${transport}, ${videos.toLocaleString('en')} × ${perVideo}${acrossInstancesRedisUrl ? ', 2 instances on Redis' : ''}`;

export async function benchFanOutPairs(
  scenario: FanOutScenario,
  pairs: number,
  log: (line: string) => void,
): Promise<FanOutPairs> {
  const options = {
    transport: scenario.transport,
    subscribers: scenario.videos * scenario.perVideo,
    perVideo: scenario.perVideo,
    acrossInstancesRedisUrl: scenario.acrossInstancesRedisUrl,
  };
  const result: FanOutPairs = { scenario, gateway: [], floor: [], ratios: [] };
  for (let pair = 1; pair <= pairs; pair += 1) {
    log(`fan-out ${scenarioName(scenario)}, pair ${pair} of ${pairs}: the gateway…`);
    const gateway = await benchFanOut(options);
    log(`  …and its fair floor`);
    const floor = await benchFanOut({ ...options, server: 'fair floor' });
    result.gateway.push(gateway);
    result.floor.push(floor);
    result.ratios.push(gateway.p99Ms / floor.p99Ms);
    log(
      `  p99 ${fmt(gateway.p99Ms)} against ${fmt(floor.p99Ms)} ms (${fmt(gateway.p99Ms / floor.p99Ms, 2)}x), lost ${gateway.lost} and ${floor.lost}`,
    );
  }
  return result;
}

/** The run whose p99 is the median of a side's runs. */
export function medianRun(rows: FanOutRow[]): FanOutRow {
  return [...rows].sort((a, b) => a.p99Ms - b.p99Ms)[Math.floor(rows.length / 2)]!;
}

export const fanOutRatio = (pairs: FanOutPairs) => median(pairs.ratios);
/** The most events any of these runs lost. */
const worstLost = (rows: FanOutRow[]) => Math.max(...rows.map((row) => row.lost));
export const fanOutLost = (pairs: FanOutPairs) => worstLost(pairs.gateway);

export function fanOutPairsTable(results: FanOutPairs[]): string[] {
  const list = (rows: FanOutRow[], pick: (row: FanOutRow) => number) => rows.map((row) => fmt(pick(row), 0)).join(', ');
  return [
    '| scenario (videos × watchers each) | subscribers | gateway p50 / p99 ms (median run) | floor p50 / p99 ms (median run) | gateway p99, every run | floor p99, every run | ratio of each pair | **ratio (median)** | server CPU in burst, gateway / floor (median run) | lost, gateway / floor (worst run) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...results.map((pairs) => {
      const gateway = medianRun(pairs.gateway);
      const floor = medianRun(pairs.floor);
      return `| ${scenarioName(pairs.scenario)} | ${gateway.subscribers.toLocaleString('en')} | ${fmt(gateway.p50Ms)} / ${fmt(gateway.p99Ms)} | ${fmt(floor.p50Ms)} / ${fmt(floor.p99Ms)} | ${list(pairs.gateway, (row) => row.p99Ms)} | ${list(pairs.floor, (row) => row.p99Ms)} | ${pairs.ratios.map((ratio) => `${fmt(ratio, 2)}x`).join(', ')} | **${fmt(fanOutRatio(pairs), 2)}x** | ${fmt(gateway.gatewayCpuMs, 0)} / ${fmt(floor.gatewayCpuMs, 0)} ms | ${worstLost(pairs.gateway)} / ${worstLost(pairs.floor)} |`;
    }),
  ];
}
