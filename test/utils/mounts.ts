/**
 * Tests that need a file system of their own (a tiny tmpfs to fill, a read-only one): root on
 * Linux may mount them. Where that is not allowed they are skipped with a word, and CI (root
 * here) refuses to skip them, so that they never pass unseen.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether this process may mount a tmpfs of its own, here with `options` (`ro`, say). */
export function canMountTmpfs(testFile: string, options = ''): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'mount-probe-'));
  const mounted =
    spawnSync('mount', ['-t', 'tmpfs', '-o', [options, 'size=64k'].filter(Boolean).join(','), 'tmpfs', dir]).status ===
    0;
  if (mounted) spawnSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
  if (!mounted) {
    if (process.env.CI) throw new Error(`${testFile}: this machine mounts no tmpfs, and CI must run these tests`);
    console.warn(`skipping part of ${testFile}: no tmpfs of its own here (it needs root)`);
  }
  return mounted;
}
