/**
 * docs/app-backend.md's receiver, run exactly as printed (as its own `node` process, with the
 * project's `standardwebhooks`), behind a real gateway: it verifies and logs every event, and
 * refuses a delivery whose body was changed on the way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../utils/stack.js';
import { uploadSmallVideo } from '../../utils/two-clients.js';
import { waitUntil } from '../../utils/wait.js';
import { newWebhookSecret } from '../../utils/webhook-receiver.js';
import { Webhook } from 'standardwebhooks';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const secret = newWebhookSecret();

let dir: string;
let receiver: ChildProcess;
const output: string[] = [];
let stack: Stack;
let port: number;

beforeAll(async () => {
  const doc = await readFile(join(ROOT, 'docs/app-backend.md'), 'utf8');
  const code = /<!-- recipe: webhook-receiver -->\n+```js\n([\s\S]*?)```/.exec(doc)![1]!;
  // Inside node_modules/, so that its import resolves to this project's standardwebhooks.
  dir = await mkdtemp(join(ROOT, 'node_modules', '.app-backend-'));
  await writeFile(join(dir, 'receiver.mjs'), code);
  receiver = spawn(process.execPath, [join(dir, 'receiver.mjs')], {
    env: { PATH: process.env.PATH, APP_WEBHOOK_SECRET: secret, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  receiver.stdout!.on('data', (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean)));
  await waitUntil(() => output.some((line) => line.startsWith('listening on ')), 'the receiver listens');
  port = Number(output[0]!.slice('listening on '.length));
  stack = await startStack({
    simulator: { manualCallbacks: true },
    env: {
      APP_WEBHOOK_URL: `http://127.0.0.1:${port}/webhooks/mavi`,
      APP_WEBHOOK_SECRET: secret,
      APP_WEBHOOK_ALLOW_PRIVATE: 'on',
    },
  });
});
afterAll(async () => {
  await stack?.stop();
  receiver?.kill();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the receiver in docs/app-backend.md', () => {
  it('verifies and logs each event once', async () => {
    const videoNo = await uploadSmallVideo(stack.graphqlUrl, {});
    await stack.simulator.sendCallback(videoNo, 'PARSE');
    await waitUntil(() => output.some((line) => line.includes('"video.ready"')), 'video.ready logged');
    const events = output.slice(1).map((line) => JSON.parse(line) as { type: string; videoNo: string });
    expect(events.map(({ type, videoNo: about }) => [type, about])).toEqual([
      ['video.registered', videoNo],
      ['video.status_changed', videoNo],
      ['video.ready', videoNo],
    ]);
  });

  it('refuses a changed body with 400, and answers a genuine one 204', async () => {
    const body = JSON.stringify({ type: 'video.ready', timestamp: new Date().toISOString(), data: { videoNo: 'x' } });
    const now = new Date();
    const headers = {
      'content-type': 'application/json',
      'webhook-id': 'msg_docs_test',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign('msg_docs_test', now, body),
    };
    const url = `http://127.0.0.1:${port}/webhooks/mavi`;
    const tampered = await fetch(url, { method: 'POST', headers, body: body.replace('"x"', '"y"') });
    expect(tampered.status).toBe(400);
    const genuine = await fetch(url, { method: 'POST', headers, body });
    expect(genuine.status).toBe(204);
  });
});
