/**
 * `npm start`'s web build, skipped when nothing it is built from changed since the last
 * build: vite has no incremental mode, and a full build takes seconds that an unchanged
 * start should not spend. Stale means any file under src/web/ (or the lockfile, which pins
 * the libraries it bundles) is newer than dist/web/index.html, or there is no build yet.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const built = 'dist/web/index.html';
const inputs = ['src/web', 'package-lock.json'];

/** @param {string} path @returns {number} the newest modification time under it */
function newestChange(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

/** @returns {number | undefined} */
function builtAt() {
  try {
    return statSync(built).mtimeMs;
  } catch {
    return undefined;
  }
}

const last = builtAt();
if (last === undefined || Math.max(...inputs.map(newestChange)) > last) {
  execFileSync('npm', ['run', '-s', 'build:web'], { stdio: 'inherit' });
}
