/**
 * What idle subscriptions retain, by constructor (issue 17): heap snapshots of
 * a gateway before and after `subscriptions` idle videoStatus subscriptions
 * (10 per socket unless told, or each its own SSE response), taken through its inspector, compared by the self size and
 * count of each constructor's objects. Prints the largest growths per
 * subscription.
 *
 *   npx tsx bench/idle-heap.ts [subscriptions] [per socket | SSE]
 */
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { startGatewayOn, startSimulator } from './lib/child.js';
import { fmt } from './lib/stats.js';
import { sseSubscriber } from './lib/subscribers.js';
import { uploadVideos } from './lib/videos.js';
import { collectGarbage, socketWith } from './idle-subscriptions.js';
import { inspectorOf } from './lib/inspector.js';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count per "type:name" of every node in a snapshot taken through the inspector. */
async function snapshotByConstructor(inspectorUrl: string): Promise<Map<string, { size: number; count: number }>> {
  await collectGarbage(inspectorUrl);
  const socket = new WebSocket(inspectorUrl, { maxPayload: 1024 ** 3 });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const chunks: string[] = [];
  const done = new Promise<void>((resolve) =>
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as { id?: number; method?: string; params?: { chunk: string } };
      if (message.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(message.params!.chunk);
      if (message.id === 1) resolve();
    }),
  );
  socket.send(JSON.stringify({ id: 1, method: 'HeapProfiler.takeHeapSnapshot', params: { reportProgress: false } }));
  await done;
  socket.close();
  const text = chunks.join('');
  // HEAP_SNAPSHOT_FILE=… keeps the last snapshot, to open in Chrome's DevTools (Memory tab).
  if (process.env.HEAP_SNAPSHOT_FILE) writeFileSync(process.env.HEAP_SNAPSHOT_FILE, text);
  const heap = JSON.parse(text) as HeapSnapshot;
  const fields = heap.snapshot.meta.node_fields;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((field) => fields.indexOf(field));
  const types = heap.snapshot.meta.node_types[0];
  const byName = new Map<string, { size: number; count: number }>();
  for (let index = 0; index < heap.nodes.length; index += fields.length) {
    const type = types[heap.nodes[index + typeAt!]!]!;
    const name = type === 'object' || type === 'closure' ? heap.strings[heap.nodes[index + nameAt!]!]! : `(${type})`;
    const key = `${type}:${name}`;
    const entry = byName.get(key) ?? { size: 0, count: 0 };
    entry.size += heap.nodes[index + sizeAt!]!;
    entry.count += 1;
    byName.set(key, entry);
  }
  return byName;
}

const subscriptions = Number(process.argv[2] ?? 2000);
const overSse = process.argv[3] === 'SSE';
const perSocket = overSse ? 1 : Number(process.argv[3] ?? 10);
const simulator = await startSimulator();
const gateway = await startGatewayOn(simulator, {}, ['--inspect=127.0.0.1:0']);
try {
  const inspectorUrl = await inspectorOf(gateway.child.output);
  const videos = await uploadVideos(`${gateway.url}/graphql`, simulator, 100);
  const wsUrl = `${gateway.url.replace(/^http/, 'ws')}/graphql`;
  (await socketWith(wsUrl, [videos[0]!.videoNo])).terminate();
  await sleep(500);
  const before = await snapshotByConstructor(inspectorUrl);
  const open: { close(): void }[] = [];
  for (let start = 0; start < subscriptions / perSocket; start += 1) {
    if (overSse) {
      open.push(await sseSubscriber(`${gateway.url}/graphql`, videos[start % videos.length]!.videoNo));
      continue;
    }
    const socket = await socketWith(
      wsUrl,
      Array.from({ length: perSocket }, (_, k) => videos[(start + k) % videos.length]!.videoNo),
    );
    open.push({ close: () => socket.terminate() });
  }
  const after = await snapshotByConstructor(inspectorUrl);
  const growth = [...after]
    .map(([name, { size, count }]) => ({
      name,
      size: size - (before.get(name)?.size ?? 0),
      count: count - (before.get(name)?.count ?? 0),
    }))
    .sort((a, b) => b.size - a.size);
  const total = growth.reduce((sum, entry) => sum + entry.size, 0);
  process.stdout.write(
    `retained per subscription: ${fmt(total / subscriptions / 1024, 2)} KiB (${subscriptions} subscriptions, ${overSse ? 'each its own SSE response' : `${perSocket} per socket`})\n`,
  );
  process.stdout.write('| constructor | bytes per subscription | objects per subscription |\n|---|---|---|\n');
  for (const entry of growth.slice(0, 30)) {
    process.stdout.write(
      `| ${entry.name} | ${fmt(entry.size / subscriptions, 0)} | ${fmt(entry.count / subscriptions, 2)} |\n`,
    );
  }
  for (const subscriber of open) subscriber.close();
} finally {
  await gateway.child.stop();
  await simulator.child.stop();
}
