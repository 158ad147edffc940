/**
 * A CPU profile of one phase of a benchmark, taken through a child's inspector (inspector.ts):
 * only the phase is sampled, not the child's start or the setup.
 * BENCH_PROFILE_DIR=/tmp/prof turns it on where a benchmark offers it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openInspector } from './inspector.js';

export const profileDir = process.env.BENCH_PROFILE_DIR;

/** The node arguments a child needs for `profilePhase`: an inspector when profiling is on. */
export const profilingArgs = (): string[] => (profileDir ? ['--inspect=127.0.0.1:0'] : []);

/** Starts sampling; the returned function stops and writes `<name>.cpuprofile` under BENCH_PROFILE_DIR. */
export async function profilePhase(inspectorUrl: string | undefined, name: string): Promise<() => Promise<void>> {
  if (!profileDir || !inspectorUrl) return async () => {};
  const inspector = await openInspector(inspectorUrl);
  await inspector.call('Profiler.enable');
  await inspector.call('Profiler.setSamplingInterval', { interval: 200 });
  await inspector.call('Profiler.start');
  return async () => {
    const { profile } = await inspector.call('Profiler.stop');
    writeFileSync(join(profileDir!, `${name}.cpuprofile`), JSON.stringify(profile));
    inspector.close();
  };
}
