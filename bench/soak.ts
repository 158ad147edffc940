/**
 * `npm run soak`: the gateway under a steady mix of everything, for a bounded
 * time on loopback, then: did it give its memory back, and was anything lost?
 *
 *   npm run soak                        10 minutes, SQLite (the default store)
 *   npm run soak -- --minutes 2         shorter
 *   npm run soak -- --redis             on a Redis of its own, restarted halfway
 *
 * The mix, each running all the time:
 *  - uploads of 256 KiB, one in five aborted mid-body by its client;
 *  - for each video, a subscriber (websocket or SSE, in turn), then MAVI's
 *    callbacks: UNPARSE, PARSE, PARSE again (a duplicate), and a forged one;
 *  - one subscriber in five vanishes (its socket destroyed) before PARSE;
 *  - with --redis, a Redis restart at the middle.
 *
 * Measured through the gateway's inspector (no gateway code for it): RSS and
 * heap after a forced GC, and open handles, at start (after a warm-up), at the
 * middle and at the end (after the load stopped and sockets closed); the store's
 * size (the SQLite files, or Redis's key count); and lost events: videos whose
 * PARSE callback was answered 2xx while a subscriber was listening that never got
 * PARSE. Written to bench/SOAK.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { freePort } from '../test/utils/free-port.js';
import { startGatewayOn, startSimulator } from './lib/child.js';
import { openInspector } from './lib/inspector.js';
import { readMemory } from './lib/memory.js';
import { sseSubscriber, wsSubscriber, type Subscriber } from './lib/subscribers.js';
import { uploadThroughGateway } from './lib/upload-client.js';

const argument = (name: string) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const minutes = Number(argument('--minutes') ?? 10);
const withRedis = process.argv.includes('--redis');
const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

interface Snapshot {
  label: string;
  rssMiB: number;
  heapUsedMiB: number;
  handles: number;
  sockets: number;
  storeBytes: number | undefined;
  redisKeys: number | undefined;
}

/** Evaluates in the gateway's main context, through its inspector (Chrome DevTools Protocol). */
async function inspector(port: number) {
  const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const { call, close } = await openInspector(list[0]!.webSocketDebuggerUrl);
  return {
    async gc() {
      await call('HeapProfiler.collectGarbage');
      await call('HeapProfiler.collectGarbage');
    },
    async evaluate(expression: string): Promise<unknown> {
      const answer = await call('Runtime.evaluate', { expression, returnByValue: true });
      return answer?.result?.value;
    },
    close,
  };
}

function directorySize(path: string): number {
  return readdirSync(path).reduce((sum, name) => sum + statSync(`${path}/${name}`).size, 0);
}

async function startRedis(port: number): Promise<ChildProcess> {
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const listening = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (listening) return proc;
    await sleep(100);
  }
  throw new Error('redis-server did not start');
}

/** An upload whose client sends the start of the body, then goes away. */
function abortedUpload(url: string): Promise<void> {
  const boundary = 'soak-boundary';
  const query = 'mutation ($file: Upload!) { uploadVideo(file: $file) { videoNo } }';
  const head =
    `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query, variables: { file: null } })}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.file"]}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="gone.mp4"\r\nContent-Type: video/mp4\r\n\r\n`;
  return new Promise((resolve) => {
    const req = httpRequest(url, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'apollo-require-preflight': 'true' },
    });
    req.on('error', () => resolve());
    req.on('response', (res) => {
      res.resume();
      resolve();
    });
    req.write(Buffer.concat([Buffer.from(head), MP4_START, Buffer.alloc(128 * 1024)]));
    setTimeout(() => {
      req.destroy();
      resolve();
    }, 30);
  });
}

/** The first bytes of an MP4 file (an `ftyp` box), so that the gateway takes the file for a video. */
const MP4_START = Buffer.concat([
  Buffer.from([0, 0, 0, 0x18]),
  Buffer.from('ftypisom'),
  Buffer.from([0, 0, 2, 0]),
  Buffer.from('isommp42'),
]);

async function redisKeys(port: number): Promise<number> {
  const { Redis } = await import('ioredis');
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
  await client.connect();
  const count = await client.dbsize();
  client.disconnect();
  return count;
}

const simulator = await startSimulator();
const redisPort = withRedis ? await freePort() : undefined;
let redis = redisPort ? await startRedis(redisPort) : undefined;
const inspectorPort = await freePort();
const gateway = await startGatewayOn(
  simulator,
  redisPort ? { REDIS_URL: `redis://127.0.0.1:${redisPort}`, REDIS_PREFIX: 'soak:' } : {},
  [`--inspect=127.0.0.1:${inspectorPort}`],
);
const graphqlUrl = `${gateway.url}/graphql`;
const wsUrl = `${gateway.url.replace('http', 'ws')}/graphql`;
const probe = await inspector(inspectorPort);
const dispatcher = new Agent({ connections: 32 });

const counts = {
  uploads: 0,
  aborted: 0,
  uploadFailures: 0,
  callbacks: 0,
  duplicates: 0,
  forged: 0,
  forgedAccepted: 0,
  subscribers: 0,
  vanished: 0,
  watched: 0,
  lost: 0,
  lostVideos: [] as string[],
};

async function snapshot(label: string): Promise<Snapshot> {
  await probe.gc();
  const heapUsed = (await probe.evaluate('process.memoryUsage().heapUsed')) as number;
  const handles = (await probe.evaluate('process._getActiveHandles().length')) as number;
  const sockets = (await probe.evaluate(
    "process._getActiveHandles().filter((h) => h && h.constructor && h.constructor.name === 'Socket').length",
  )) as number;
  const dir = (await probe.evaluate('process.env.DATA_DIR')) as string | undefined;
  return {
    label,
    rssMiB: readMemory(gateway.child.proc.pid!).rss / 2 ** 20,
    heapUsedMiB: heapUsed / 2 ** 20,
    handles,
    sockets,
    storeBytes: !withRedis && dir ? directorySize(dir) : undefined,
    redisKeys: redisPort ? await redisKeys(redisPort).catch(() => undefined) : undefined,
  };
}

async function callback(videoNo: string, status: string): Promise<number | undefined> {
  const answer = await request(`${simulator.url}/__simulator/callback`, {
    method: 'POST',
    dispatcher,
    body: JSON.stringify({ videoNo, status }),
  });
  const delivery = (await answer.body.json()) as { httpStatus?: number };
  return delivery.httpStatus;
}

/** One video's life: upload, a subscriber, callbacks (with a duplicate and a forgery), the check. */
async function oneVideo(index: number): Promise<void> {
  if (index % 5 === 4) {
    counts.aborted += 1;
    await abortedUpload(graphqlUrl);
    return;
  }
  const uploaded = await uploadThroughGateway(graphqlUrl, 256 * 1024);
  const videoNo = /"videoNo":"([^"]+)"/.exec(uploaded.body)?.[1];
  if (!videoNo) {
    counts.uploadFailures += 1;
    return;
  }
  counts.uploads += 1;
  let subscriber: Subscriber | undefined;
  try {
    subscriber = await (index % 2 === 0 ? wsSubscriber(wsUrl, videoNo) : sseSubscriber(graphqlUrl, videoNo));
    counts.subscribers += 1;
  } catch {
    // the gateway refused (Redis away): nobody listens to this one
  }
  const vanishes = index % 5 === 3;
  if (vanishes && subscriber) {
    subscriber.close();
    counts.vanished += 1;
  }
  await callback(videoNo, 'UNPARSE');
  const forged = await request(`${gateway.url}/webhooks/mavi/AAAAAAAAAAAAAAAAAAAAAA.${'C'.repeat(43)}`, {
    method: 'POST',
    dispatcher,
    body: JSON.stringify({ videoNo, status: 'FAIL' }),
  });
  await forged.body.dump();
  counts.forged += 1;
  if (forged.statusCode < 300) counts.forgedAccepted += 1;
  const parsed = await callback(videoNo, 'PARSE');
  counts.callbacks += 1;
  await callback(videoNo, 'PARSE');
  counts.duplicates += 1;
  if (!subscriber || vanishes) return;
  if (parsed === undefined || parsed >= 300) return; // not acknowledged: MAVI would retry or polling would heal
  counts.watched += 1;
  const deadline = Date.now() + 10_000;
  while (!subscriber.received.has('PARSE') && Date.now() < deadline) await sleep(20);
  if (!subscriber.received.has('PARSE')) {
    counts.lost += 1;
    counts.lostVideos.push(videoNo);
  }
  subscriber.close();
}

const snapshots: Snapshot[] = [];
log(`soak: ${minutes} min, ${withRedis ? 'Redis (restarted at the middle)' : 'SQLite'}; warming up…`);
await Promise.all(Array.from({ length: 20 }, (_, i) => oneVideo(i * 5))); // warm-up (JIT, pools)
snapshots.push(await snapshot('start (after warm-up)'));

const started = Date.now();
const endAt = started + minutes * 60_000;
const middle = started + (minutes * 60_000) / 2;
let next = 0;
let middleTaken = false;
const workers = Array.from({ length: 8 }, async () => {
  while (Date.now() < endAt) {
    next += 1;
    await oneVideo(next).catch(() => undefined);
  }
});
const middleWork = (async () => {
  while (Date.now() < middle) await sleep(500);
  if (redis && redisPort) {
    log('restarting Redis');
    redis.kill('SIGKILL');
    await sleep(2_000);
    redis = await startRedis(redisPort);
  }
  middleTaken = true;
  snapshots.push(await snapshot('middle (under load)'));
})();
const progress = setInterval(() => log(`${counts.uploads} uploads, ${counts.lost} lost`), 60_000);
await Promise.all([...workers, middleWork]);
clearInterval(progress);
await sleep(3_000); // sockets close, timers run out
snapshots.push(await snapshot('end (load stopped)'));
if (!middleTaken) throw new Error('the middle snapshot was not taken');

probe.close();
await dispatcher.close();
await gateway.child.stop();
await simulator.child.stop();
redis?.kill('SIGTERM');

const [first, , last] = snapshots as [Snapshot, Snapshot, Snapshot];
const RSS_TOLERANCE_MIB = 32;
const HEAP_TOLERANCE_MIB = 8;
const verdict = {
  rss: last.rssMiB - first.rssMiB <= RSS_TOLERANCE_MIB,
  heap: last.heapUsedMiB - first.heapUsedMiB <= HEAP_TOLERANCE_MIB,
  handles: last.handles <= first.handles + 2,
  lost: counts.lost === 0 && counts.forgedAccepted === 0,
};
const fmt = (value: number | undefined, digits = 1) => (value === undefined ? '–' : value.toFixed(digits));
const section = [
  `## ${withRedis ? 'Redis, restarted at the middle' : 'SQLite (the default store)'}`,
  '',
  `Written by \`npm run soak${withRedis ? ' -- --redis' : ''}${minutes !== 10 ? ` -- --minutes ${minutes}` : ''}\` (bench/soak.ts) on ${new Date().toISOString()}: ${minutes} minutes on loopback, ${withRedis ? 'Redis store, Redis killed and restarted at the middle' : 'SQLite store (the default)'}; the gateway, the MAVI simulator and the clients in separate processes. Memory and handles are read through the gateway's inspector after a forced GC.`,
  '',
  '| when | RSS MiB | heap used MiB | open handles | of which sockets | store bytes | Redis keys |',
  '|---|---|---|---|---|---|---|',
  ...snapshots.map(
    (s) =>
      `| ${s.label} | ${fmt(s.rssMiB)} | ${fmt(s.heapUsedMiB)} | ${s.handles} | ${s.sockets} | ${s.storeBytes ?? '–'} | ${s.redisKeys ?? '–'} |`,
  ),
  '',
  '| what happened | count |',
  '|---|---|',
  `| uploads completed | ${counts.uploads} |`,
  `| uploads aborted by their client mid-body | ${counts.aborted} |`,
  `| uploads that failed otherwise | ${counts.uploadFailures} |`,
  `| subscribers opened (websocket and SSE in turn) | ${counts.subscribers} |`,
  `| subscribers that vanished before PARSE | ${counts.vanished} |`,
  `| PARSE callbacks, and as many duplicates | ${counts.callbacks} |`,
  `| forged callbacks, of which accepted | ${counts.forged}, ${counts.forgedAccepted} |`,
  `| videos watched to PARSE by a live subscriber | ${counts.watched} |`,
  `| **lost**: acknowledged PARSE never delivered to its live subscriber | ${counts.lost} |`,
  '',
  `Tolerances: RSS may end at most ${RSS_TOLERANCE_MIB} MiB above the start, heap ${HEAP_TOLERANCE_MIB} MiB, open handles 2 (the store's and the inspector's own churn); nothing lost. Verdict: RSS ${verdict.rss ? 'within' : '**over**'}, heap ${verdict.heap ? 'within' : '**over**'}, handles ${verdict.handles ? 'within' : '**over**'}, losses ${verdict.lost ? 'none' : '**some**'}.`,
  '',
].join('\n');
// bench/SOAK.md holds one section per store; this run replaces its own.
const target = new URL('./SOAK.md', import.meta.url).pathname;
const title = '# Soak\n\n`npm run soak` (SQLite) and `npm run soak -- --redis`: see bench/soak.ts for the mix.\n';
const sections = (existsSync(target) ? readFileSync(target, 'utf8') : '')
  .split(/\n(?=## )/)
  .filter((part) => part.startsWith('## ') && !part.startsWith(section.split('\n')[0]!));
const report = [title, ...sections.map((part) => part.trimEnd() + '\n'), section].join('\n');
writeFileSync(target, report);
process.stdout.write(section);
log(`wrote ${target}`);
process.exit(Object.values(verdict).every(Boolean) ? 0 : 1);
