/**
 * `npm run release`, on a copy of the project's package files and changelog: the version moves
 * on (semver), [Unreleased] becomes the release, and the SBOM (CycloneDX) is written; a release
 * with nothing to say, or a version that goes back, is refused and changes nothing.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const run = promisify(execFile);
const dirs: string[] = [];

function copyOfProject(unreleased: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'release-'));
  dirs.push(dir);
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(ROOT, file), join(dir, file));
  const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8').replace(
    /^## \[Unreleased\]\n[\s\S]*?(?=^## \[)/m,
    `## [Unreleased]\n\n${unreleased}`,
  );
  writeFileSync(join(dir, 'CHANGELOG.md'), changelog);
  return dir;
}

const release = (dir: string, ...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/release.ts'), '--dir', dir, ...args]);
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('npm run release', () => {
  it('moves the version, turns [Unreleased] into the release, and writes the SBOM', async () => {
    const dir = copyOfProject('### Added\n\n- Something an operator notices.\n\n');
    const before = JSON.parse(read(dir, 'package.json')) as { name: string; version: string };
    const [major, minor] = before.version.split('.').map(Number) as [number, number];
    const next = `${major}.${minor + 1}.0`;
    await release(dir, 'minor');
    expect(JSON.parse(read(dir, 'package.json')).version).toBe(next);
    const lock = JSON.parse(read(dir, 'package-lock.json'));
    expect([lock.version, lock.packages[''].version]).toEqual([next, next]);
    const changelog = read(dir, 'CHANGELOG.md');
    const today = new Date().toISOString().slice(0, 10);
    expect(changelog).toContain(
      `## [Unreleased]\n\n## [${next}] - ${today}\n\n### Added\n\n- Something an operator notices.`,
    );
    expect(changelog).toContain(`## [${before.version}]`);
    const sbom = JSON.parse(read(dir, `sbom/${before.name}-${next}.cdx.json`));
    expect(sbom.bomFormat).toBe('CycloneDX');
    expect(sbom.components.map((c: { name: string }) => c.name)).toEqual(
      expect.arrayContaining(['graphql-yoga', 'undici']),
    );
    // Production dependencies only.
    expect(sbom.components.map((c: { name: string }) => c.name)).not.toContain('vitest');
  });

  it('releases the checkout it runs in, as `npm run release -- patch` does (no --dir)', async () => {
    const dir = copyOfProject('### Fixed\n\n- A fix.\n\n');
    const [major, minor, patch] = JSON.parse(read(dir, 'package.json')).version.split('.').map(Number);
    // tsx by its path: the copy's folder has no node_modules of its own.
    const tsx = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
    await run(process.execPath, ['--import', tsx, join(ROOT, 'scripts/release.ts'), 'patch'], { cwd: dir });
    expect(JSON.parse(read(dir, 'package.json')).version).toBe(`${major}.${minor}.${patch + 1}`);
  });

  it('refuses a release with nothing under [Unreleased], or a version that goes back, and changes nothing', async () => {
    const empty = copyOfProject('');
    await expect(release(empty, 'patch')).rejects.toMatchObject({
      stderr: expect.stringMatching(/nothing to release/),
    });
    expect(read(empty, 'package.json')).toBe(readFileSync(join(ROOT, 'package.json'), 'utf8'));

    const backwards = copyOfProject('### Fixed\n\n- A fix.\n\n');
    await expect(release(backwards, '0.0.1')).rejects.toMatchObject({ stderr: expect.stringMatching(/is not after/) });
    expect(read(backwards, 'CHANGELOG.md')).toContain('## [Unreleased]\n\n### Fixed');
  });
});
