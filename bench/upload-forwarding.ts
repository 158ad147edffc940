/**
 * Upload forwarding: the same generated file straight to the simulator, through
 * the gateway, and through Yoga's built-in `File` uploads, alternating, several
 * rounds each. Each round starts a fresh gateway process (warmed up by one
 * unmeasured 512 MiB upload): on this VM one gateway process ran at 1.5
 * CPU-seconds per GiB and the next at 2.5, so one process is not a fair sample. Reports throughput (MiB/s), the ratio to direct, each server's
 * peak RSS growth over its idle RSS during the upload, and the CPU time every
 * process spent per GiB (the machine has two cores; that is where they go).
 */
import { startChild, startGateway, startSimulator } from './lib/child.js';
import { cpuSeconds, MiB, readMemory, resetPeak } from './lib/memory.js';
import { median } from './lib/stats.js';
import { uploadDirect, uploadThroughGateway, type UploadTiming } from './lib/upload-client.js';

export interface CpuPerGiB {
  client: number;
  server: number;
  simulator: number;
}

export interface UploadRow {
  path: 'direct' | 'gateway' | 'yoga File';
  sizeMiB: number;
  rounds: number;
  mibPerSecond: number;
  ratio: number;
  /** Peak RSS growth of the server in the path (MiB); undefined for direct. */
  peakGrowthMiB: number | undefined;
  /** CPU seconds per GiB moved, by process (median over rounds). */
  cpuPerGiB: CpuPerGiB;
}

interface Run {
  seconds: number;
  growthMiB: number | undefined;
  cpu: CpuPerGiB;
}

const clientCpu = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

function summarise(path: UploadRow['path'], sizeMiB: number, runs: Run[], directSeconds: number): UploadRow {
  const seconds = median(runs.map((run) => run.seconds));
  const growth = runs.map((run) => run.growthMiB).filter((value): value is number => value !== undefined);
  return {
    path,
    sizeMiB,
    rounds: runs.length,
    mibPerSecond: sizeMiB / seconds,
    ratio: directSeconds / seconds,
    peakGrowthMiB: growth.length > 0 ? Math.max(...growth) : undefined,
    cpuPerGiB: {
      client: median(runs.map((run) => run.cpu.client)),
      server: median(runs.map((run) => run.cpu.server)),
      simulator: median(runs.map((run) => run.cpu.simulator)),
    },
  };
}

export async function benchUploadForwarding(
  sizesMiB: number[],
  rounds: number,
  yogaRounds: number,
): Promise<UploadRow[]> {
  const simulator = await startSimulator();
  const simulatorPid = simulator.child.proc.pid!;
  const startOneGateway = () =>
    startGateway({
      MAVI_API_KEY: simulator.apiKey,
      MAVI_BASE_URL: simulator.url,
      MAX_UPLOAD_BYTES: String(8 * 1024 ** 3),
    });
  let gateway = await startOneGateway();
  const { child: peer, match } = await startChild(
    'bench/processes/yoga-file-peer.ts',
    { SIMULATOR_URL: simulator.url, SIMULATOR_KEY: simulator.apiKey },
    /YOGA_PEER (\S+)/,
  );
  const peerUrl = match[1]!;
  const paths = {
    direct: { pid: undefined, send: (size: number) => uploadDirect(simulator.url, simulator.apiKey, size) },
    gateway: {
      get pid() {
        return gateway.child.proc.pid;
      },
      send: (size: number) => uploadThroughGateway(`${gateway.url}/graphql`, size),
    },
    yoga: { pid: peer.proc.pid, send: (size: number) => uploadThroughGateway(`${peerUrl}/graphql`, size, {}, 'File') },
  };

  const measure = async (
    path: { pid: number | undefined; send: (size: number) => Promise<UploadTiming> },
    sizeMiB: number,
  ): Promise<Run> => {
    const { pid } = path;
    if (pid) resetPeak(pid);
    const idle = pid ? readMemory(pid).rss : 0;
    const before = { client: clientCpu(), server: pid ? cpuSeconds(pid) : 0, simulator: cpuSeconds(simulatorPid) };
    const timing = await path.send(sizeMiB * MiB);
    if (timing.status !== 200 || timing.body.includes('"errors"')) {
      throw new Error(`upload failed: HTTP ${timing.status} ${timing.body.slice(0, 300)}`);
    }
    const perGiB = (used: number) => (used * 1024) / sizeMiB;
    return {
      seconds: timing.seconds,
      growthMiB: pid ? (readMemory(pid).peak - idle) / MiB : undefined,
      cpu: {
        client: perGiB(clientCpu() - before.client),
        server: pid ? perGiB(cpuSeconds(pid) - before.server) : 0,
        simulator: perGiB(cpuSeconds(simulatorPid) - before.simulator),
      },
    };
  };

  const rows: UploadRow[] = [];
  try {
    // Warm up every path (JIT, connections) before measuring.
    for (const path of Object.values(paths)) await measure(path, 64);

    for (const sizeMiB of sizesMiB) {
      const runs = { direct: [] as Run[], gateway: [] as Run[], yoga: [] as Run[] };
      for (let round = 0; round < rounds; round += 1) {
        await gateway.child.stop();
        gateway = await startOneGateway();
        // Warm-up of the fresh process: a process's first large upload runs ~20 % slower
        // (JIT, heap sizing), and a long-lived gateway is past it.
        await measure(paths.gateway, 512);
        runs.direct.push(await measure(paths.direct, sizeMiB));
        runs.gateway.push(await measure(paths.gateway, sizeMiB));
        const [direct, through] = [runs.direct.at(-1)!, runs.gateway.at(-1)!];
        process.stderr.write(
          `  ${sizeMiB} MiB round ${round + 1}: direct ${(sizeMiB / direct.seconds).toFixed(0)} MiB/s, gateway ${(sizeMiB / through.seconds).toFixed(0)} MiB/s, +${through.growthMiB!.toFixed(1)} MiB\n`,
        );
      }
      for (let round = 0; round < yogaRounds; round += 1) {
        const run = await measure(paths.yoga, sizeMiB);
        runs.yoga.push(run);
        process.stderr.write(
          `  ${sizeMiB} MiB yoga File round ${round + 1}: ${(sizeMiB / run.seconds).toFixed(0)} MiB/s, +${run.growthMiB!.toFixed(1)} MiB\n`,
        );
      }
      const directSeconds = median(runs.direct.map((run) => run.seconds));
      rows.push(summarise('direct', sizeMiB, runs.direct, directSeconds));
      rows.push(summarise('gateway', sizeMiB, runs.gateway, directSeconds));
      if (runs.yoga.length > 0) rows.push(summarise('yoga File', sizeMiB, runs.yoga, directSeconds));
    }
  } finally {
    await gateway.child.stop();
    await peer.stop();
    await simulator.child.stop();
  }
  return rows;
}
