/**
 * The one place that decides how a video's status may change.
 *  - PARSE and FAIL are terminal: once reached, nothing changes them.
 *  - The same status again is not a change, so it emits nothing.
 *  - UNPARSE never follows anything: from UNPARSE it is "unchanged", after a
 *    terminal status it is a late, out-of-order callback.
 */
import { videoStatuses, type VideoStatus } from '../mavi/types.js';

export function isTerminal(status: VideoStatus): boolean {
  return status === 'PARSE' || status === 'FAIL';
}

/** The status after `incoming` is applied to `current`, or undefined when nothing changes. */
export function nextStatus(current: VideoStatus, incoming: VideoStatus): VideoStatus | undefined {
  if (isTerminal(current) || incoming === current || incoming === 'UNPARSE') return undefined;
  return incoming;
}

/**
 * The same rules as a Lua table for the Redis store's scripts, generated from
 * `nextStatus` so that the rules still live only here:
 * NEXT[current][incoming] is the new status, or nil for "no change".
 */
export function luaTransitionTable(): string {
  const rows = videoStatuses.map((current) => {
    const moves = videoStatuses
      .map((incoming) => [incoming, nextStatus(current, incoming)] as const)
      .filter(([, next]) => next !== undefined)
      .map(([incoming, next]) => `${incoming} = '${next}'`);
    return `${current} = { ${moves.join(', ')} }`;
  });
  const terminal = videoStatuses.filter(isTerminal).map((status) => `${status} = true`);
  return `local NEXT = { ${rows.join(', ')} }\nlocal TERMINAL = { ${terminal.join(', ')} }`;
}
