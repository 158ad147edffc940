/**
 * `npm run release -- <patch|minor|major|x.y.z>`: makes a release of what CHANGELOG.md's
 * [Unreleased] section says.
 *  1. The version (semver) moves on in package.json and package-lock.json.
 *  2. [Unreleased] becomes `## [x.y.z] - <today>`, and an empty [Unreleased] opens above it.
 *     A release with nothing to say is refused.
 *  3. The production dependencies' SBOM (CycloneDX, from `npm sbom`) is written to
 *     `sbom/mavi-graphql-gateway-<x.y.z>.cdx.json`; the image carries its own (Containerfile).
 * Then: review, commit, tag `v<x.y.z>`, and build the image with `--build-arg VERSION=<x.y.z>`.
 * `--dir <folder>` releases another checkout (the tests use a copy).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const dirAt = args.indexOf('--dir');
const dir = dirAt >= 0 ? args[dirAt + 1]! : process.cwd();
// The first argument that is not an option, nor --dir's folder (with no --dir, every one counts).
const bump = args.find((arg, index) => !arg.startsWith('--') && (dirAt < 0 || index !== dirAt + 1));

function fail(message: string): never {
  console.error(`release: ${message}`);
  process.exit(2);
}

const SEMVER = /^(\d+)\.(\d+)\.(\d+)$/;

function nextVersion(current: string, how: string | undefined): string {
  const parts = SEMVER.exec(current);
  if (!parts) fail(`package.json's version "${current}" is not x.y.z`);
  const [major, minor, patch] = parts.slice(1).map(Number) as [number, number, number];
  if (how === 'major') return `${major + 1}.0.0`;
  if (how === 'minor') return `${major}.${minor + 1}.0`;
  if (how === 'patch') return `${major}.${minor}.${patch + 1}`;
  if (how !== undefined && SEMVER.test(how)) {
    const [a, b, c] = SEMVER.exec(how)!.slice(1).map(Number) as [number, number, number];
    if (a < major || (a === major && (b < minor || (b === minor && c <= patch)))) {
      fail(`${how} is not after the current version ${current}`);
    }
    return how;
  }
  fail('say how the version moves: patch, minor, major, or x.y.z');
}

const packagePath = join(dir, 'package.json');
const lockPath = join(dir, 'package-lock.json');
const changelogPath = join(dir, 'CHANGELOG.md');
const pkg = JSON.parse(readFileSync(packagePath, 'utf8')) as { name: string; version: string };
const version = nextVersion(pkg.version, bump);

const changelog = readFileSync(changelogPath, 'utf8');
const unreleased = /^## \[Unreleased\]\n([\s\S]*?)(?=^## \[)/m.exec(changelog);
if (!unreleased) fail('CHANGELOG.md has no "## [Unreleased]" section followed by a release');
if (unreleased[1]!.trim() === '') fail('CHANGELOG.md says nothing under [Unreleased]: nothing to release');
if (changelog.includes(`## [${version}]`)) fail(`CHANGELOG.md already has ${version}`);
const today = new Date().toISOString().slice(0, 10);
writeFileSync(
  changelogPath,
  changelog.replace(unreleased[0], `## [Unreleased]\n\n## [${version}] - ${today}\n${unreleased[1]}`),
);

for (const path of [packagePath, lockPath]) {
  const json = JSON.parse(readFileSync(path, 'utf8')) as {
    version: string;
    packages?: Record<string, { version?: string }>;
  };
  json.version = version;
  if (json.packages?.['']) json.packages[''].version = version;
  writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
}

const sbom = execFileSync('npm', ['sbom', '--package-lock-only', '--omit', 'dev', '--sbom-format', 'cyclonedx'], {
  cwd: dir,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
mkdirSync(join(dir, 'sbom'), { recursive: true });
const sbomPath = join(dir, 'sbom', `${pkg.name}-${version}.cdx.json`);
writeFileSync(sbomPath, sbom);

console.log(
  `release ${version}: package.json, package-lock.json, CHANGELOG.md, ${join('sbom', `${pkg.name}-${version}.cdx.json`)}`,
);
console.log(`next: review, commit, git tag v${version}, and build the image with --build-arg VERSION=${version}`);
