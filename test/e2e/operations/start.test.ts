/**
 * `npm start` as a newcomer runs it: no MAVI key, so the gateway starts its
 * simulator, says so, serves, and takes SIGTERM with exit code 0.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ResumableUploadProgressDocument, VideoStatusDocument } from '../../generated/operations.js';
import { subscribeSse } from '../../utils/graphql-clients.js';
import { startGatewayProcess } from '../../utils/gateway-process.js';
import { collect, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { lastProgress, tusUpload, uploadIdOf } from '../../utils/tus-client.js';
import { waitUntil } from '../../utils/wait.js';

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

function startProcess(env: Record<string, string>) {
  const started = startGatewayProcess(env);
  child = started.proc;
  return started;
}

describe('npm start without a MAVI key', () => {
  it('runs on the simulator, says so, works end to end, and stops cleanly on SIGTERM', async () => {
    const started = startProcess({});
    const url = await started.url;
    await waitUntil(() => started.output.join('').includes('GraphiQL:'), 'the banner');
    expect(started.output.join('')).toContain(`The web app: ${url}/`);
    expect(started.output.join('')).toMatch(
      /uploads go to the built-in MAVI SIMULATOR \(API family: \w+\), not to MAVI/,
    );

    // On the simulator a process's own webhook secret is all it needs: no warning about it.
    expect(started.output.join('')).not.toContain('WEBHOOK_SECRET is not set');
    expect(started.output.join('')).toContain('MAVI_API=v1');
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const result = await uploadVideo(`${url}/graphql`, { content: await collect(videoFile(2048)) });
    const { videoNo } = result.json.data.uploadVideo;
    const { collected, close } = subscribeSse(`${url}/graphql`, VideoStatusDocument, { videoNo });
    await collected.waitForEvents(1);
    expect(collected.events[0]!.data!.videoStatus.status).toBe('UNPARSE');
    close(); // PARSE comes 5 s later in this mode; test/e2e/subscriptions/subscriptions.test.ts covers delivery.

    // Resumable uploads too, with no further setting: tus at /uploads, staged under DATA_DIR, then to the simulator.
    const { url: uploadUrl } = await tusUpload({ endpoint: `${url}/uploads`, file: await collect(videoFile(4096)) });
    const progress = subscribeSse(`${url}/graphql`, ResumableUploadProgressDocument, {
      uploadId: uploadIdOf(uploadUrl),
    });
    expect((await lastProgress(progress.collected))?.state).toBe('REGISTERED');

    expect(await started.stop()).toBe(0);
  });

  it('refuses to start on invalid configuration, naming the variable', async () => {
    const started = startProcess({ MAX_UPLOAD_BYTES: 'lots' });
    const [code] = await once(started.proc, 'exit');
    expect(code).toBe(1);
    expect(started.output.join('')).toContain('MAX_UPLOAD_BYTES');
  });
});
