/**
 * Uploads against their floor (issue 17): the gateway and a bare pipe proxy
 * (bench/processes/pipe-proxy.ts), both in front of the same simulator, in the
 * same run. Per round, a fresh process of each:
 *  - the first upload's peak RSS growth over the idle RSS (cold: nothing warmed);
 *  - then, warmed, CPU seconds per GiB forwarded.
 * Reported as medians with every round's value, and the ratios to the floor.
 */
import { startChild, startGatewayOn, startSimulator } from './lib/child.js';
import { cpuSeconds, MiB, readMemory, resetPeak } from './lib/memory.js';
import { fmt, median, signed } from './lib/stats.js';
import { uploadDirect, uploadThroughGateway, type UploadTiming } from './lib/upload-client.js';

export interface UploadFloorResult {
  sizeMiB: number;
  rounds: number;
  gateway: { cpuPerGiB: number[]; coldGrowthMiB: number[] };
  proxy: { cpuPerGiB: number[]; coldGrowthMiB: number[] };
}

async function measure(pid: number, sizeMiB: number, send: () => Promise<UploadTiming>) {
  resetPeak(pid);
  const idle = readMemory(pid).rss;
  const cpuBefore = cpuSeconds(pid);
  const timing = await send();
  if (timing.status !== 200 || timing.body.includes('"errors"')) {
    throw new Error(`upload failed: HTTP ${timing.status} ${timing.body.slice(0, 300)}`);
  }
  return {
    growthMiB: (readMemory(pid).peak - idle) / MiB,
    cpuPerGiB: ((cpuSeconds(pid) - cpuBefore) * 1024) / sizeMiB,
  };
}

export async function benchUploadFloor(sizeMiB: number, rounds: number): Promise<UploadFloorResult> {
  const simulator = await startSimulator();
  const result: UploadFloorResult = {
    sizeMiB,
    rounds,
    gateway: { cpuPerGiB: [], coldGrowthMiB: [] },
    proxy: { cpuPerGiB: [], coldGrowthMiB: [] },
  };
  try {
    for (let round = 1; round <= rounds; round += 1) {
      const gateway = await startGatewayOn(simulator, { MAX_UPLOAD_BYTES: String(8 * 1024 ** 3) });
      const { child: proxy, match } = await startChild(
        'bench/processes/pipe-proxy.ts',
        { UPSTREAM_URL: simulator.url },
        /PIPE_PROXY (\S+)/,
      );
      try {
        const viaGateway = () => uploadThroughGateway(`${gateway.url}/graphql`, sizeMiB * MiB);
        const viaProxy = () => uploadDirect(match[1]!, simulator.apiKey, sizeMiB * MiB);
        const gatewayPid = gateway.child.proc.pid!;
        const proxyPid = proxy.proc.pid!;
        // Cold: each process's first upload.
        const coldGateway = await measure(gatewayPid, sizeMiB, viaGateway);
        const coldProxy = await measure(proxyPid, sizeMiB, viaProxy);
        // Warm: the next upload's CPU.
        const warmGateway = await measure(gatewayPid, sizeMiB, viaGateway);
        const warmProxy = await measure(proxyPid, sizeMiB, viaProxy);
        result.gateway.coldGrowthMiB.push(coldGateway.growthMiB);
        result.proxy.coldGrowthMiB.push(coldProxy.growthMiB);
        result.gateway.cpuPerGiB.push(warmGateway.cpuPerGiB);
        result.proxy.cpuPerGiB.push(warmProxy.cpuPerGiB);
        process.stderr.write(
          `  upload floor round ${round}: CPU s/GiB gateway ${fmt(warmGateway.cpuPerGiB, 2)}, proxy ${fmt(warmProxy.cpuPerGiB, 2)}; ` +
            `cold growth gateway ${signed(coldGateway.growthMiB)} MiB, proxy ${signed(coldProxy.growthMiB)} MiB\n`,
        );
      } finally {
        await gateway.child.stop();
        await proxy.stop();
      }
    }
  } finally {
    await simulator.child.stop();
  }
  return result;
}

const spread = (values: number[], digits = 2) => values.map((value) => fmt(value, digits)).join(', ');

export function uploadFloorTable(result: UploadFloorResult): string[] {
  const cpu = { gateway: median(result.gateway.cpuPerGiB), proxy: median(result.proxy.cpuPerGiB) };
  const growth = { gateway: median(result.gateway.coldGrowthMiB), proxy: median(result.proxy.coldGrowthMiB) };
  return [
    `| figure (${result.sizeMiB} MiB uploads, ${result.rounds} fresh processes each) | gateway | bare pipe proxy (floor) | ratio or difference | target |`,
    '|---|---|---|---|---|',
    `| CPU s per GiB forwarded (median; every round) | ${fmt(cpu.gateway, 2)} (${spread(result.gateway.cpuPerGiB)}) | ${fmt(cpu.proxy, 2)} (${spread(result.proxy.cpuPerGiB)}) | ${fmt(cpu.gateway / cpu.proxy, 2)}x | <= 1.3x |`,
    `| first-upload RSS growth, cold process, MiB (median; every round) | ${signed(growth.gateway)} (${spread(result.gateway.coldGrowthMiB, 1)}) | ${signed(growth.proxy)} (${spread(result.proxy.coldGrowthMiB, 1)}) | ${signed(growth.gateway - growth.proxy)} MiB | <= floor + 8 MiB |`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizeMiB = Number(process.argv[2] ?? 512);
  const rounds = Number(process.argv[3] ?? 3);
  process.stdout.write(`${uploadFloorTable(await benchUploadFloor(sizeMiB, rounds)).join('\n')}\n`);
}
