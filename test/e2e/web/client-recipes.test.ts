/**
 * The client recipes (docs/client-recipes.md), each run exactly as printed against a gateway
 * with client keys: only the gateway's address (`http://localhost:4000`) and
 * the key (`replace-with-your-client-key`) are replaced. Node recipes run as their own
 * `node` processes; the Apollo recipe (XMLHttpRequest, for upload progress) is
 * bundled with esbuild and run in Chromium, on a page of another origin, so
 * CORS is exercised as a browser app meets it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, requireChromium, throttleUploads } from '../../utils/browser.js';
import { bearer, startTokenStack, TestIdentityProvider } from '../../utils/identity-provider.js';
import { collect, MP4_HEADER, PICTURES, videoFile } from '../../utils/multipart-client.js';
import { startStack, type Stack } from '../../utils/stack.js';
import { uploadSmallVideo } from '../../utils/two-clients.js';
import { waitUntil } from '../../utils/wait.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const KEY = 'recipe-client-key-5e8b21';
const hasChromium = requireChromium('client-recipes.test.ts');

/** The recipes (docs/client-recipes.md) by name: a `<!-- recipe: name -->` line, then a js code block. */
async function recipes(): Promise<Map<string, string>> {
  const readme = await readFile(join(ROOT, 'docs/client-recipes.md'), 'utf8');
  const found = new Map<string, string>();
  for (const match of readme.matchAll(/<!-- recipe: ([\w-]+) -->\n+```(?:js|sh)\n([\s\S]*?)```/g))
    found.set(match[1]!, match[2]!);
  return found;
}

let stack: Stack;
let dir: string;
let printed: Map<string, string>;
const asRun = (code: string, on: Stack = stack) =>
  code
    .replaceAll('http://localhost:4000', on.url)
    .replaceAll('ws://localhost:4000', on.url.replace(/^http/, 'ws'))
    .replaceAll('replace-with-your-client-key', KEY);

beforeAll(async () => {
  printed = await recipes();
  stack = await startStack({ simulator: { parseDelayMs: 300 }, env: { GATEWAY_API_KEYS: KEY } });
  // Inside node_modules/, so that the recipes' imports resolve to this project's packages.
  dir = await mkdtemp(join(ROOT, 'node_modules', '.recipes-'));
  await writeFile(join(dir, 'clip.mp4'), Buffer.concat([MP4_HEADER, await collect(videoFile(256 * 1024))]));
  await writeFile(join(dir, 'jacket.jpg'), PICTURES.jpeg(8192));
});
afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * Runs a recipe as `node <name>.mjs [...args]` (a shell recipe: `sh <name>.sh [...args]`) in the
 * folder that holds clip.mp4 and jacket.jpg, against `on`; its output lines.
 */
async function runRecipe(name: string, args: string[] = [], on: Stack = stack): Promise<string[]> {
  const code = printed.get(name);
  expect(code, `docs/client-recipes.md has a "${name}" recipe`).toBeDefined();
  const shell = name.startsWith('curl-');
  const file = join(dir, `${name}.${shell ? 'sh' : 'mjs'}`);
  await writeFile(file, asRun(code!, on));
  const [command, options] = shell ? ['sh', []] : [process.execPath, ['--no-warnings']];
  const { stdout } = await run(command, [...options, file, ...args], { cwd: dir, timeout: 20_000 });
  return stdout.trim().split('\n');
}

describe('the client recipes', () => {
  it('lists the recipes the page promises', () => {
    expect([...printed.keys()].sort()).toEqual([
      'apollo-search-by-image',
      'apollo-upload',
      'curl-search-by-image',
      'fetch-upload',
      'graphql-sse',
      'graphql-ws',
      'graphql-ws-live',
      'graphql-ws-token',
      'tus-js-client',
      'uppy',
      'urql',
    ]);
  });

  let videoNo: string;
  it('plain fetch with FormData uploads a file', async () => {
    const lines = await runRecipe('fetch-upload');
    expect(lines).toHaveLength(1);
    videoNo = lines[0]!;
    expect(stack.simulator.videos.has(videoNo)).toBe(true);
  });

  it('graphql-ws with connectionParams follows the status to PARSE', async () => {
    const statuses = await runRecipe('graphql-ws', [videoNo]);
    expect(statuses.at(-1)).toBe('PARSE');
    for (const status of statuses) expect(['UNPARSE', 'PARSE']).toContain(status);
  });

  it('graphql-sse follows the status with the key in its headers', async () => {
    expect(await runRecipe('graphql-sse', [videoNo])).toEqual(['PARSE']);
  });

  it.each(['graphql-ws', 'graphql-sse'])(
    '%s with a wrong key fails at once, readably, without retrying',
    async (name) => {
      const file = join(dir, `${name}-wrong-key.mjs`);
      await writeFile(file, asRun(printed.get(name)!).replaceAll(KEY, 'a-key-the-gateway-never-issued'));
      // No retries: the process ends as soon as the refusal arrives (run's own timeout is the backstop).
      const failed = await run(process.execPath, ['--no-warnings', file, 'mavi_video_1'], {
        cwd: dir,
        timeout: 20_000,
      }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toContain('A valid client key is required');
    },
  );

  it('tus-js-client uploads resumably and follows the upload to its videoNo', async () => {
    const [uploaded] = await runRecipe('tus-js-client');
    expect(stack.simulator.videos.get(uploaded!)?.videoName).toBe('clip.mp4');
  });

  it('urql lists the videos (fetchExchange, with subscriptionExchange wired)', async () => {
    expect(await runRecipe('urql')).toContain(`${videoNo} PARSE`);
  });

  describe('pictures and live video, on the successor family', () => {
    let successor: Stack;
    beforeAll(async () => {
      successor = await startStack({
        simulator: { family: 'v1', liveResultIntervalMs: 50 },
        env: { GATEWAY_API_KEYS: KEY },
        gateway: { resolveHost: async (host) => (host === 'cam.example.com' ? ['93.184.216.34'] : []) },
      });
    });
    afterAll(() => successor?.stop());

    it('curl finds the moments a picture shows in a video', async () => {
      const videoNo = await uploadSmallVideo(successor.graphqlUrl, { authorization: `Bearer ${KEY}` });
      const [answer] = await runRecipe('curl-search-by-image', [videoNo], successor);
      const clips = (JSON.parse(answer!) as { data: { searchClipsByImage: { videoNo: string }[] } }).data
        .searchClipsByImage;
      expect(clips.length).toBeGreaterThan(0);
      expect(clips.every((clip) => clip.videoNo === videoNo)).toBe(true);
      expect(successor.simulator.pictures.clipSearches).toContain(videoNo);
    });

    it('Apollo uploads a picture and finds it by a look-alike', async () => {
      const [imageId, match] = await runRecipe('apollo-search-by-image', [], successor);
      expect(successor.simulator.pictures.images.get(imageId!)?.name).toBe('jacket.jpg');
      expect(match).toBe(`${imageId} 1`);
    });

    it('graphql-ws follows a live analysis, and stops it after two results', async () => {
      const lines = await runRecipe('graphql-ws-live', ['rtmp://cam.example.com/live/door'], successor);
      expect(lines.at(-1)).toBe('STOPPED STOPPED_BY_OWNER');
      expect(lines.slice(0, 2).every((line) => line.startsWith('Result '))).toBe(true);
      expect([...successor.simulator.pictures.liveTasks.values()].every((task) => !task.running)).toBe(true);
    });
  });

  describe.skipIf(!hasChromium)('in Chromium, from another origin', () => {
    let browser: Browser | undefined;
    const pages: Server[] = [];
    afterAll(async () => {
      await browser?.close();
      for (const page of pages) await new Promise((resolve) => page.close(resolve));
    });

    /** Bundles a harness around a recipe and opens it in Chromium, served from an origin of its own. */
    async function openHarness(recipe: string, harness: string): Promise<Page> {
      await writeFile(join(dir, `${recipe}.mjs`), asRun(printed.get(recipe)!));
      await writeFile(join(dir, `${recipe}-harness.mjs`), harness);
      const bundle = await build({
        entryPoints: [join(dir, `${recipe}-harness.mjs`)],
        bundle: true,
        format: 'esm',
        platform: 'browser',
        write: false,
        logLevel: 'silent',
        define: { 'globalThis.__DEV__': 'false', 'process.env.NODE_ENV': '"production"' },
      });
      const script = bundle.outputFiles[0]!.text;
      // The app's own origin: a page server of its own, not the gateway.
      const server = createServer((req, res) => {
        if (req.url === '/app.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
        else res.writeHead(200, { 'content-type': 'text/html' }).end('<script type="module" src="/app.js"></script>');
      });
      pages.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      // localhost vs 127.0.0.1: another origin than the gateway's.
      const appOrigin = `http://localhost:${(server.address() as AddressInfo).port}`;
      expect(new URL(appOrigin).origin).not.toBe(new URL(stack.url).origin);
      browser ??= await launchChromium();
      const tab = await browser.newPage();
      await tab.goto(appOrigin);
      await tab.waitForFunction(() => 'runRecipe' in window);
      return tab;
    }

    it('Apollo Client with apollo-upload-client uploads with progress through XMLHttpRequest', async () => {
      const tab = await openHarness(
        'apollo-upload',
        `import { uploadVideo } from './apollo-upload.mjs';
         window.runRecipe = async (header, size) => {
           const bytes = new Uint8Array(size);
           bytes.set(header);
           const file = new File([bytes], 'clip.mp4', { type: 'video/mp4' });
           const progress = [];
           const video = await uploadVideo(file, (share) => progress.push(share));
           return { video, progress };
         };`,
      );
      // An upload at a pace at which progress can be seen.
      await throttleUploads(tab, 8 * 1024 * 1024);
      const result = await tab.evaluate(
        ([header, size]) =>
          (
            window as unknown as {
              runRecipe(
                header: readonly number[],
                size: number,
              ): Promise<{ video: { videoNo: string }; progress: number[] }>;
            }
          ).runRecipe(header, size),
        [[...MP4_HEADER], 8 * 1024 * 1024] as const,
      );
      expect(stack.simulator.videos.has(result.video.videoNo)).toBe(true);
      expect(result.progress.at(-1)).toBe(1);
      expect(result.progress.filter((share) => share > 0 && share < 1).length).toBeGreaterThanOrEqual(2);
    }, 60_000);

    it('Uppy with its tus plugin uploads resumably from another origin, and MAVI gets the file', async () => {
      const tab = await openHarness(
        'uppy',
        `import { uploadWithUppy } from './uppy.mjs';
         window.runRecipe = async (header, size) => {
           const bytes = new Uint8Array(size);
           bytes.set(header);
           const file = new File([bytes], 'uppy-clip.mp4', { type: 'video/mp4' });
           const progress = [];
           const url = await uploadWithUppy(file, (share) => progress.push(share));
           return { url, progress };
         };`,
      );
      const result = await tab.evaluate(
        ([header, size]) =>
          (
            window as unknown as {
              runRecipe(header: readonly number[], size: number): Promise<{ url: string; progress: number[] }>;
            }
          ).runRecipe(header, size),
        [[...MP4_HEADER], 2 * 1024 * 1024] as const,
      );
      expect(result.progress.at(-1)).toBe(1);
      const uploadId = result.url.split('/').pop()!;
      await waitUntil(
        () => [...stack.simulator.videos.values()].some((video) => video.videoName === 'uppy-clip.mp4'),
        'MAVI registering the Uppy upload',
      );
      expect(uploadId).toMatch(/^[0-9a-f]{32}$/);
    }, 60_000);
  });
});

describe("the token recipe, against a gateway with users' tokens", () => {
  it('graphql-ws with connectionParams as a function follows a signed-in user’s video to PARSE', async () => {
    const provider = new TestIdentityProvider();
    await provider.start();
    const tokens = await startTokenStack(provider, { simulator: { parseDelayMs: 300 } });
    try {
      const token = await provider.token('alice');
      const videoNo = await uploadSmallVideo(tokens.graphqlUrl, bearer(token));
      const code = printed
        .get('graphql-ws-token')!
        .replaceAll('ws://localhost:4000', tokens.url.replace(/^http/, 'ws'))
        .replaceAll('your-user-token', token);
      const file = join(dir, 'graphql-ws-token.mjs');
      await writeFile(file, code);
      const { stdout } = await run(process.execPath, ['--no-warnings', file, videoNo], { cwd: dir, timeout: 20_000 });
      const statuses = stdout.trim().split('\n');
      expect(statuses.at(-1)).toBe('PARSE');
    } finally {
      await tokens.stop();
      await provider.stop();
    }
  });
});
