/** A process's memory from /proc: resident set now (VmRSS) and its peak (VmHWM), which can be reset. */
import { readFileSync, writeFileSync } from 'node:fs';

export interface Memory {
  rss: number;
  peak: number;
}

export function readMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** Resets VmHWM to the current RSS (Linux: writing 5 to clear_refs), so a peak can be measured per run. */
export function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

export const MiB = 1024 * 1024;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the command name: utime is the 12th, stime the 13th (0-based 11 and 12), in clock ticks.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
