/**
 * Reads MAVI's streamed chat answers: lines of `data:<json>` (Server-Sent Events
 * framing, shared/memories-api.md §2.8 and §3). Whether a space follows `data:`,
 * or `event:` lines occur, is not documented, so both are tolerated; the original
 * family's SDK strips `data:` from plain answers too, so a bare JSON line counts.
 */
import { MaviError } from './errors.js';

/** A line longer than this is not a chat piece: MAVI is misbehaving, and nothing should hold it. */
const MAX_LINE_BYTES = 1024 * 1024;

/** Each `data` payload, parsed as JSON (a payload that is not JSON is given as its string). */
export async function* eventStreamData(body: AsyncIterable<Buffer>): AsyncGenerator<unknown> {
  let pending = '';
  for await (const chunk of body) {
    pending += chunk.toString('utf8');
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline).replace(/\r$/, '');
      pending = pending.slice(newline + 1);
      const data = payloadOf(line);
      if (data !== undefined) yield data;
    }
    if (pending.length > MAX_LINE_BYTES) {
      throw new MaviError('MAVI_UNAVAILABLE', 'MAVI sent a chat stream line longer than 1 MiB.');
    }
  }
  const last = payloadOf(pending.replace(/\r$/, ''));
  if (last !== undefined) yield last;
}

function payloadOf(line: string): unknown {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith(':') || /^(event|id|retry):/.test(trimmed)) return undefined;
  const text = trimmed.startsWith('data:') ? trimmed.slice(5).trim() : trimmed;
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
