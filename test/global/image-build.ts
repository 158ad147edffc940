/**
 * vitest's global setup: starts building the container image at the suite's start, in the main
 * process, so that test/e2e/image/ finds it built instead of holding one of the two test forks
 * for the minutes a build takes. The outcome is written to a file the test waits for; the
 * teardown waits for the build and removes the image.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage, canBuildImages, imageBuilt, removeImage, standInBase } from '../utils/container-image.js';

const ROOT = new URL('../../', import.meta.url).pathname;

const IMAGE_TEST = 'test/e2e/image/image.test.ts';
/** vitest's options that take a value (the rest of the command line's words are file filters). */
const VALUED = new Set(['--project', '-t', '--testNamePattern', '--config', '-c', '--root', '-r', '--reporter']);

/** Whether this run includes the image test: no file filter on the command line, or one that matches it. */
function runsImageTest(argv: readonly string[]): boolean {
  const words = argv.slice(argv.findIndex((word) => word === 'run' || word.endsWith('vitest')) + 1);
  const filters = words.filter(
    (word, index) => word !== 'run' && !word.startsWith('-') && !VALUED.has(words[index - 1] ?? ''),
  );
  return filters.length === 0 || filters.some((filter) => IMAGE_TEST.includes(filter.replace(/^\.\//, '')));
}

export default function setup(): (() => Promise<void>) | undefined {
  if (!canBuildImages() || !runsImageTest(process.argv)) return undefined;
  const outcome = join(tmpdir(), `mavi-image-build-${process.pid}.json`);
  // The forks are started after this, and inherit both: the image test reads the outcome here,
  // and names the image this run built.
  process.env.IMAGE_BUILD_OUTCOME = outcome;
  process.env.IMAGE_TEST_RUN = String(process.pid);
  const lines: string[] = [];
  const building = (async () => {
    lines.push(`stand-in base: ${await standInBase((line) => lines.push(line))}`);
    if (await imageBuilt()) return;
    const { version } = (await import(join(ROOT, 'package.json'), { with: { type: 'json' } })).default as {
      version: string;
    };
    await buildImage(ROOT, version);
  })().then(
    () => writeFileSync(outcome, JSON.stringify({ built: true, log: lines })),
    (error: unknown) => {
      const failure = error as { message?: string; stdout?: string; stderr?: string };
      const detail = [failure.message, failure.stdout?.slice(-4000), failure.stderr?.slice(-4000)].join('\n');
      writeFileSync(outcome, JSON.stringify({ built: false, log: [...lines, detail] }));
    },
  );
  return async () => {
    await building;
    rmSync(outcome, { force: true });
    await removeImage();
  };
}
