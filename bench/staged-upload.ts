/**
 * Resumable uploads (tus at /uploads) beside the streamed `uploadVideo`: the
 * same file sent with tus-js-client to a fresh gateway process, staged under
 * its DATA_DIR, then forwarded to the simulator by the gateway's job. Reports
 * the receive rate, the end-to-end rate (first byte sent to MAVI's answer),
 * the time from the last byte received to MAVI's answer, the gateway's CPU per
 * GiB (receiving, syncing and forwarding), and its peak RSS growth. Each round is
 * paired with the forwarding floor: a bare undici POST of the same file.
 */
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tus from 'tus-js-client';
import { startChild, startGatewayOn, startSimulator, type Child, type SimulatorChild } from './lib/child.js';
import { inspectorUrlOf } from './lib/inspector.js';
import { profileDir, profilePhase, profilingArgs } from './lib/profile.js';
import { cpuSeconds, MiB, readMemory, resetPeak } from './lib/memory.js';
import { median } from './lib/stats.js';
import { PATTERN } from './lib/upload-client.js';

export interface StagedRow {
  sizeMiB: number;
  rounds: number;
  /** MiB/s from the first byte sent to the last byte acknowledged (staged and synced). */
  receiveMiBps: number;
  /** MiB/s from the first byte sent to MAVI's answer. */
  endToEndMiBps: number;
  /** Seconds from the last byte acknowledged to MAVI's answer (REGISTERED). */
  lastByteToAnswerSeconds: number;
  gatewayCpuPerGiB: number;
  peakGrowthMiB: number;
  /** Each round's last byte → MAVI's answer, and the forwarding floor's send time right after it (seconds). */
  tails: number[];
  floorSends: number[];
}

/**
 * The forwarding floor: a bare undici POST of the file from disk to MAVI's upload route, as the
 * multipart body MAVI takes, with its Content-Length; seconds from the request to MAVI's answer.
 */
async function floorSend(simulator: SimulatorChild, path: string): Promise<number> {
  const boundary = `----bench-${Date.now()}`;
  const preamble = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
  );
  const epilogue = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body = new PassThrough();
  body.write(preamble);
  const file = createReadStream(path);
  file.pipe(body, { end: false });
  file.once('end', () => body.end(epilogue));
  const started = performance.now();
  const answer = await request(`${simulator.url}/api/serve/video/upload`, {
    method: 'POST',
    headers: {
      authorization: simulator.apiKey,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(preamble.length + statSync(path).size + epilogue.length),
    },
    body,
  });
  const text = await answer.body.text();
  if (answer.statusCode !== 200 || !text.includes('videoNo')) throw new Error(`the floor's upload failed: ${text}`);
  return (performance.now() - started) / 1000;
}

/** A file of `size` bytes on disk that starts like an MP4. */
function videoFileOnDisk(dir: string, size: number): string {
  const path = join(dir, `bench-${size}.mp4`);
  const block = PATTERN;
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < size; written += block.length)
      writeSync(fd, block, 0, Math.min(block.length, size - written));
  } finally {
    closeSync(fd);
  }
  return path;
}

function tusSend(endpoint: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const upload: tus.Upload = new tus.Upload(createReadStream(path), {
      endpoint,
      metadata: { filename: 'bench.mp4', filetype: 'video/mp4' },
      onSuccess: () => resolve(upload.url!.split('/').pop()!),
      onError: reject,
    });
    upload.start();
  });
}

async function waitRegistered(graphqlUrl: string, uploadId: string): Promise<void> {
  for (;;) {
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'query ($id: ID!) { resumableUpload(uploadId: $id) { state errorCode } }',
        variables: { id: uploadId },
      }),
    });
    const { data } = (await response.json()) as {
      data: { resumableUpload: { state: string; errorCode: string | null } };
    };
    if (data.resumableUpload.state === 'REGISTERED') return;
    if (data.resumableUpload.state === 'FAILED')
      throw new Error(`staged upload failed: ${data.resumableUpload.errorCode}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function benchStagedUploads(sizesMiB: number[], rounds: number): Promise<StagedRow[]> {
  const simulator = await startSimulator();
  const dir = mkdtempSync(join(tmpdir(), 'bench-staged-'));
  const rows: StagedRow[] = [];
  try {
    for (const sizeMiB of sizesMiB) {
      const path = videoFileOnDisk(dir, sizeMiB * MiB);
      const runs: { receive: number; total: number; tail: number; cpu: number; growth: number; floor: number }[] = [];
      for (let round = 0; round < rounds; round += 1) {
        const gateway = await startGatewayOn(simulator, {
          MAX_UPLOAD_BYTES: String(8 * 1024 ** 3),
          STAGING_MIN_FREE_BYTES: '0',
        });
        try {
          const pid = gateway.child.proc.pid!;
          // Warm-up of the fresh process, unmeasured.
          await waitRegistered(
            `${gateway.url}/graphql`,
            await tusSend(`${gateway.url}/uploads`, videoFileOnDisk(dir, 64 * MiB)),
          );
          resetPeak(pid);
          const idle = readMemory(pid).rss;
          const cpuBefore = cpuSeconds(pid);
          const started = performance.now();
          const uploadId = await tusSend(`${gateway.url}/uploads`, path);
          const received = performance.now();
          await waitRegistered(`${gateway.url}/graphql`, uploadId);
          const answered = performance.now();
          const run = {
            receive: (received - started) / 1000,
            total: (answered - started) / 1000,
            tail: (answered - received) / 1000,
            cpu: ((cpuSeconds(pid) - cpuBefore) * 1024) / sizeMiB,
            growth: (readMemory(pid).peak - idle) / MiB,
            floor: await floorSend(simulator, path),
          };
          runs.push(run);
          process.stderr.write(
            `  staged ${sizeMiB} MiB round ${round + 1}: received ${(sizeMiB / run.receive).toFixed(0)} MiB/s, end to end ${(sizeMiB / run.total).toFixed(0)} MiB/s, last byte to answer ${run.tail.toFixed(2)} s (the bare undici floor: ${run.floor.toFixed(2)} s), +${run.growth.toFixed(1)} MiB\n`,
          );
        } finally {
          await gateway.child.stop();
        }
      }
      rows.push({
        sizeMiB,
        rounds,
        receiveMiBps: sizeMiB / median(runs.map((run) => run.receive)),
        endToEndMiBps: sizeMiB / median(runs.map((run) => run.total)),
        lastByteToAnswerSeconds: median(runs.map((run) => run.tail)),
        gatewayCpuPerGiB: median(runs.map((run) => run.cpu)),
        peakGrowthMiB: Math.max(...runs.map((run) => run.growth)),
        tails: runs.map((run) => run.tail),
        floorSends: runs.map((run) => run.floor),
      });
      rmSync(path, { force: true });
    }
  } finally {
    await simulator.child.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export interface ReceiveFloorRow {
  sizeMiB: number;
  /** CPU seconds per GiB, each round's, until the last byte is acknowledged (synced). */
  gateway: number[];
  pipeline: number[];
  tusServer: number[];
}

/** A floor process (bench/processes/tus-floor.ts): its tus endpoint and its pid. */
async function startFloor(floor: 'pipeline' | 'tus-server') {
  const { child, match } = await startChild(
    'bench/processes/tus-floor.ts',
    { FLOOR: floor },
    /TUS_FLOOR (\S+)/,
    profilingArgs(),
  );
  return { child, endpoint: match[1]!, pid: child.proc.pid! };
}

/**
 * Receiving a resumable upload, against its floors, in turns (gateway, pipeline, tus-server) with
 * the same client (tus-js-client, the whole file in one PATCH): CPU seconds per GiB until the last
 * byte is acknowledged. Each process is fresh and warmed with a 64 MiB upload first (the gateway's
 * forwarded to MAVI before the measured one starts, or its forwarding would be counted). The
 * gateway's figure may hold the first milliseconds of its forwarding, which starts as the last byte lands.
 */
export async function benchStagedReceive(sizeMiB: number, rounds: number): Promise<ReceiveFloorRow> {
  const simulator = await startSimulator();
  const dir = mkdtempSync(join(tmpdir(), 'bench-receive-'));
  const row: ReceiveFloorRow = { sizeMiB, gateway: [], pipeline: [], tusServer: [] };
  /** `settle` waits until the warm-up upload is done with (the gateway forwards it to MAVI first). */
  const measure = async (
    endpoint: string,
    child: Child,
    path: string,
    warm: string,
    name: string,
    settle: (uploadId: string) => Promise<void> = async () => {},
  ) => {
    const pid = child.proc.pid!;
    await settle(await tusSend(endpoint, warm));
    // Whatever the warm-up left to do (the staged file's removal, the disk's writeback) is over.
    await sleep(2000);
    const stopProfile = await profilePhase(inspectorUrlOf(child.output), `receive-${name}-${Date.now()}`);
    const before = cpuSeconds(pid);
    await tusSend(endpoint, path);
    const cpu = ((cpuSeconds(pid) - before) * 1024) / sizeMiB;
    await stopProfile();
    return cpu;
  };
  try {
    const path = videoFileOnDisk(dir, sizeMiB * MiB);
    const warm = videoFileOnDisk(dir, 64 * MiB);
    for (let round = 0; round < rounds; round += 1) {
      const gateway = await startGatewayOn(
        simulator,
        { MAX_UPLOAD_BYTES: String(8 * 1024 ** 3), STAGING_MIN_FREE_BYTES: '0' },
        profileDir ? profilingArgs() : undefined,
      );
      try {
        const forwarded = (uploadId: string) => waitRegistered(`${gateway.url}/graphql`, uploadId);
        row.gateway.push(await measure(`${gateway.url}/uploads`, gateway.child, path, warm, 'gateway', forwarded));
      } finally {
        await gateway.child.stop();
      }
      for (const floor of ['pipeline', 'tus-server'] as const) {
        const started = await startFloor(floor);
        try {
          const cpu = await measure(started.endpoint, started.child, path, warm, floor);
          (floor === 'pipeline' ? row.pipeline : row.tusServer).push(cpu);
        } finally {
          await started.child.stop();
        }
      }
      process.stderr.write(
        `  receive ${sizeMiB} MiB round ${round + 1}: gateway ${row.gateway.at(-1)!.toFixed(2)}, pipeline ${row.pipeline.at(-1)!.toFixed(2)}, @tus/server ${row.tusServer.at(-1)!.toFixed(2)} CPU s/GiB\n`,
      );
    }
  } finally {
    await simulator.child.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return row;
}
