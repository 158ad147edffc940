/**
 * The production build: `npm run build` compiles to dist/, `node dist/index.js`
 * takes SIGTERM itself (as a container runtime sends it, to the process it
 * started) and shuts down gracefully, and `npm start` builds, then serves from
 * dist/.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { VideoStatusDocument } from '../../generated/operations.js';
import { subscribeSse } from '../../utils/graphql-clients.js';
import { logLines, startGatewayProcess } from '../../utils/gateway-process.js';
import { collect, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { waitUntil } from '../../utils/wait.js';

const root = new URL('../../..', import.meta.url).pathname;

beforeAll(async () => {
  await promisify(execFile)('npm', ['run', 'build'], { cwd: root });
}, 120_000);

describe('the production entry, node dist/index.js', () => {
  it('is what npm run build made', () => {
    expect(existsSync(join(root, 'dist/index.js'))).toBe(true);
  });

  it('takes SIGTERM itself: open subscriptions complete, the process says so and exits 0', async () => {
    const gateway = startGatewayProcess({}, 'dist');
    const url = await gateway.url;
    const result = await uploadVideo(`${url}/graphql`, { content: await collect(videoFile(2048)) });
    const { videoNo } = result.json.data.uploadVideo;
    const sse = subscribeSse(`${url}/graphql`, VideoStatusDocument, { videoNo });
    await sse.collected.waitForEvents(1);

    const code = await gateway.stop(); // SIGTERM to the node process, as `docker stop` sends it to PID 1
    expect(code).toBe(0);
    await sse.collected.ended();
    expect(sse.collected.completed).toBe(true);
    const lines = logLines(gateway.output);
    expect(lines).toContainEqual(expect.objectContaining({ message: 'shutting down', signal: 'SIGTERM' }));
    expect(lines).toContainEqual(expect.objectContaining({ message: 'gateway stopped' }));
  });
});

describe('npm start', () => {
  it('builds, then serves from dist/', async () => {
    const webBuiltAt = statSync(join(root, 'dist/web/index.html')).mtimeMs;
    const output: string[] = [];
    const npm = spawn('npm', ['start'], {
      cwd: root,
      env: { PATH: process.env.PATH, PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'gateway-data-')) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: npm and the gateway under it are stopped together
    });
    npm.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    try {
      await waitUntil(() => /"message":"gateway listening"/.test(output.join('')), 'listening', 60_000);
      const text = output.join('');
      expect(text).toContain('tsc -b tsconfig.build.json');
      expect(text).toContain('node scripts/build-web-if-stale.mjs');
      // Nothing changed since beforeAll's build: the web app is not built again.
      expect(statSync(join(root, 'dist/web/index.html')).mtimeMs).toBe(webBuiltAt);
      expect(text).toContain('node dist/index.js');
      const url = /"url":"(http:\/\/[^"]+)"/.exec(text)![1]!;
      expect((await fetch(`${url}/health`)).status).toBe(200);
    } finally {
      const exited = new Promise((resolve) => npm.once('exit', resolve));
      process.kill(-npm.pid!, 'SIGTERM');
      await exited;
    }
  }, 90_000);
});
