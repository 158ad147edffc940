/**
 * The container image, built from the Containerfile and run (test/utils/container-image.ts): on
 * a stand-in for `node:24-bookworm-slim`, with buildah. In the running image, /health and /ready
 * answer, an upload reaches MAVI (the simulator) and its callback arrives, the process is not
 * root, SIGTERM ends it with 0 within SHUTDOWN_TIMEOUT_MS, and a second run on the same /data
 * knows the first run's video. Once per CI run (IMAGE_TEST=off on the other Node lines).
 */
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoDocument, VideoStatusDocument } from '../../generated/operations.js';
import {
  canBuildImages,
  fileInImage,
  imageConfig,
  imageSizes,
  runImage,
  userOf,
  type RunningImage,
} from '../../utils/container-image.js';
import { freePort } from '../../utils/free-port.js';
import { postGraphQL, subscribeSse } from '../../utils/graphql-clients.js';
import { TEST_MAVI_KEY } from '../../utils/stack.js';
import { TestSimulator } from '../../utils/test-simulator.js';
import { uploadSmallVideo } from '../../utils/two-clients.js';
import { waitUntil } from '../../utils/wait.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const SHUTDOWN_TIMEOUT_MS = 10_000;
const KEY = 'client-key-for-the-image-test-0001';
const asClient = { authorization: `Bearer ${KEY}` };

describe.skipIf(!canBuildImages() || !process.env.IMAGE_BUILD_OUTCOME)('the container image', () => {
  let simulator: TestSimulator;
  let dataDir: string;
  const running: RunningImage[] = [];

  beforeAll(async () => {
    // Built by the global setup (test/global/image-build.ts) from the suite's start.
    const outcome = process.env.IMAGE_BUILD_OUTCOME!;
    await waitUntil(() => existsSync(outcome), 'the image build ends', 30 * 60_000);
    const { built, log } = JSON.parse(readFileSync(outcome, 'utf8')) as { built: boolean; log: string[] };
    if (!built) throw new Error(`the image did not build:\n${log.join('\n')}`);
    const { image, base } = await imageSizes();
    console.log(
      `image: ${log.join('; ')}; ${(image / 1e6).toFixed(0)} MB, ${((image - base) / 1e6).toFixed(0)} MB over the base`,
    );
    simulator = new TestSimulator({ apiKey: TEST_MAVI_KEY });
    await simulator.start();
    dataDir = mkdtempSync(join(tmpdir(), 'image-data-'));
    // The image's user (uid 1000) owns its volume, as a volume it made itself would be.
    chownSync(dataDir, 1000, 1000);
  }, 30 * 60_000);

  afterAll(async () => {
    for (const image of running) {
      if (image.process.exitCode === null) process.kill(image.gatewayPid, 'SIGKILL');
      await image.exited;
    }
    await simulator?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Runs the image's command on a free port, in front of the simulator, with dataDir as /data. */
  async function start(): Promise<{ image: RunningImage; url: string }> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const image = await runImage(
      {
        PORT: String(port),
        PUBLIC_URL: url,
        MAVI_API_KEY: TEST_MAVI_KEY,
        MAVI_BASE_URL: simulator.url,
        GATEWAY_API_KEYS: `image-test:${KEY}`,
        WEBHOOK_SECRET: 'image-test-webhook-secret-0123456789',
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      },
      dataDir,
    );
    running.push(image);
    await waitUntil(() => image.output.join('').includes('gateway listening'), 'the image serves', 120_000);
    return { image, url };
  }

  /** SIGTERM to the gateway's own process (buildah run's does not pass signals on). */
  async function stop(image: RunningImage): Promise<{ code: number | null; ms: number }> {
    const started = performance.now();
    process.kill(image.gatewayPid, 'SIGTERM');
    const code = await image.exited;
    return { code, ms: performance.now() - started };
  }

  it('is configured as documented: not root, /data, port 4000, HEALTHCHECK, OCI labels with the version, an SBOM', async () => {
    const config = await imageConfig();
    expect(config.User).toBe('node');
    expect(Object.keys(config.Volumes)).toEqual(['/data']);
    expect(Object.keys(config.ExposedPorts)).toEqual(['4000/tcp']);
    expect(config.Cmd).toEqual(['node', 'dist/index.js']);
    expect(config.Env).toEqual(expect.arrayContaining(['DATA_DIR=/data', 'PORT=4000', 'NODE_ENV=production']));
    expect(config.Healthcheck?.Test.join(' ')).toContain('/health');
    expect(config.Labels).toMatchObject({
      'org.opencontainers.image.version': version,
      'org.opencontainers.image.title': 'mavi-graphql-gateway',
      'org.opencontainers.image.licenses': 'MIT',
    });
    // Its SBOM: what it carries, production dependencies only.
    const sbom = JSON.parse(await fileInImage('/app/sbom.cdx.json')) as {
      bomFormat: string;
      components: { name: string }[];
    };
    expect(sbom.bomFormat).toBe('CycloneDX');
    const names = sbom.components.map((component) => component.name);
    expect(names).toEqual(expect.arrayContaining(['graphql-yoga', 'better-sqlite3']));
    expect(names).not.toContain('vitest');
  });

  it('serves, uploads through to MAVI, stops on SIGTERM with 0, and a second run on its /data knows the video', async () => {
    const first = await start();
    expect(userOf(first.image.gatewayPid)).toBe(1000);
    const health = await fetch(`${first.url}/health`);
    expect(await health.json()).toEqual({ status: 'ok', version });
    expect((await fetch(`${first.url}/ready`)).status).toBe(200);

    const videoNo = await uploadSmallVideo(`${first.url}/graphql`, asClient);
    expect(simulator.videos.has(videoNo)).toBe(true);
    // MAVI's callback reaches the gateway in the image: the status arrives as an event.
    const statuses = subscribeSse(`${first.url}/graphql`, VideoStatusDocument, { videoNo }, asClient);
    await waitUntil(
      () => statuses.collected.events.some((event) => event.data?.videoStatus?.status === 'PARSE'),
      'the PARSE callback arrives',
      60_000,
    );
    statuses.close();

    const stopped = await stop(first.image);
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(SHUTDOWN_TIMEOUT_MS);

    const second = await start();
    const known = await postGraphQL(`${second.url}/graphql`, VideoDocument, { videoNo }, asClient);
    expect(known.body.data?.video).toMatchObject({ videoNo, status: 'PARSE' });
    expect((await stop(second.image)).code).toBe(0);
  });
});
