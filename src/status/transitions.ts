/**
 * The one place that decides how a video's status may change.
 *  - PARSE and FAIL are terminal: once reached, nothing changes them.
 *  - The same status again is not a change, so it emits nothing.
 *  - UNPARSE never follows anything: from UNPARSE it is "unchanged", after a
 *    terminal status it is a late, out-of-order callback.
 */
import type { VideoStatus } from '../mavi/types.js';

export function isTerminal(status: VideoStatus): boolean {
  return status === 'PARSE' || status === 'FAIL';
}

/** The status after `incoming` is applied to `current`, or undefined when nothing changes. */
export function nextStatus(current: VideoStatus, incoming: VideoStatus): VideoStatus | undefined {
  if (isTerminal(current) || incoming === current || incoming === 'UNPARSE') return undefined;
  return incoming;
}
