/**
 * Reads MAVI's streamed chat answers: lines of `data:<json>` (Server-Sent Events
 * framing, docs/memories-api.md §2.8 and §3). Whether a space follows `data:`,
 * or `event:` lines occur, is not documented, so both are tolerated; the original
 * family's SDK strips `data:` from plain answers too, so a bare JSON line counts.
 */
import { StringDecoder } from 'node:string_decoder';
import { MaviError } from './errors.js';

/** A line longer than this is not a chat piece: MAVI is misbehaving, and nothing should hold it. */
const MAX_LINE_BYTES = 1024 * 1024;

/** Each `data` payload, parsed as JSON (a payload that is not JSON is given as its string). */
export async function* eventStreamData(body: AsyncIterable<Buffer>): AsyncGenerator<unknown> {
  // A character may be split between chunks: the decoder keeps its first bytes until the rest arrive.
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of body) {
    pending += decoder.write(chunk);
    // Lines are cut from where the last one ended; the rest is kept once, not re-copied per line.
    let start = 0;
    let newline: number;
    while ((newline = pending.indexOf('\n', start)) >= 0) {
      const data = payloadOf(pending.slice(start, newline).replace(/\r$/, ''));
      start = newline + 1;
      if (data !== undefined) yield data;
    }
    pending = pending.slice(start);
    if (pending.length > MAX_LINE_BYTES) {
      throw new MaviError('MAVI_UNAVAILABLE', 'MAVI sent a chat stream line longer than 1 MiB.');
    }
  }
  pending += decoder.end();
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
