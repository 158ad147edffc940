/**
 * `npm start` as a newcomer runs it: no MAVI key, so the gateway starts its
 * simulator, says so, serves, and takes SIGTERM with exit code 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { VideoStatusDocument } from './generated/operations.js';
import { subscribeSse } from './utils/graphql-clients.js';
import { collect, uploadVideo, videoFile } from './utils/multipart-client.js';

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

function startProcess(env: Record<string, string>) {
  const output: string[] = [];
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { PATH: process.env.PATH, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  proc.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no GraphiQL line in:\n${output.join('')}`)), 20_000);
    const check = () => {
      const match = /GraphiQL: (http:\/\/\S+)\/graphql/.exec(output.join(''));
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', () => reject(new Error(`exited early:\n${output.join('')}`)));
  });
  url.catch(() => undefined); // a test that expects an early exit does not await it
  return { proc, output, url };
}

describe('npm start without a MAVI key', () => {
  it('runs on the simulator, says so, works end to end, and stops cleanly on SIGTERM', async () => {
    const started = startProcess({});
    child = started.proc;
    const url = await started.url;
    expect(started.output.join('')).toMatch(/uploads go to the built-in MAVI SIMULATOR, not to MAVI/);

    expect((await fetch(`${url}/health`)).status).toBe(200);
    const result = await uploadVideo(`${url}/graphql`, { content: await collect(videoFile(2048)) });
    const { videoNo } = result.json.data.uploadVideo;
    const { collected, close } = subscribeSse(`${url}/graphql`, VideoStatusDocument, { videoNo });
    await collected.waitForEvents(1);
    expect(collected.events[0]!.data!.videoStatus.status).toBe('UNPARSE');
    close(); // PARSE comes 5 s later in this mode; test/subscriptions.test.ts covers delivery.

    started.proc.kill('SIGTERM');
    const [code] = await once(started.proc, 'exit');
    expect(code).toBe(0);
  });

  it('refuses to start on invalid configuration, naming the variable', async () => {
    const started = startProcess({ MAX_UPLOAD_BYTES: 'lots' });
    child = started.proc;
    const [code] = await once(started.proc, 'exit');
    expect(code).toBe(1);
    expect(started.output.join('')).toContain('MAX_UPLOAD_BYTES');
  });
});
