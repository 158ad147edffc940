/**
 * MAVI's chat stream as it may arrive: split anywhere, even inside a UTF-8
 * character or between "\r" and "\n", with comments, `event:` lines, spaces after
 * `data:` or none, and a last line without a newline. Every split gives the same
 * payloads; a line that never ends is refused instead of held.
 */
import { describe, expect, it } from 'vitest';
import { eventStreamData } from '../../src/mavi/event-stream.js';
import { MaviError } from '../../src/mavi/errors.js';

const STREAM = Buffer.from(
  [
    ': keep-alive',
    'event: message',
    'data:{"type":"thinking","title":"Regarder","content":"Plage à l’aube 🌅"}',
    '',
    'data: {"type":"content","content":"Ça va ✓"}\r',
    '\r',
    'data:"Done"',
  ].join('\n'),
);
const EXPECTED = [
  { type: 'thinking', title: 'Regarder', content: 'Plage à l’aube 🌅' },
  { type: 'content', content: 'Ça va ✓' },
  'Done',
];

async function read(chunks: Buffer[]): Promise<unknown[]> {
  const payloads: unknown[] = [];
  for await (const payload of eventStreamData(
    (async function* () {
      yield* chunks;
    })(),
  ))
    payloads.push(payload);
  return payloads;
}

describe('eventStreamData', () => {
  it('gives the same payloads however the stream is split (every single split point, and byte by byte)', async () => {
    for (let at = 0; at <= STREAM.length; at += 1) {
      expect(await read([STREAM.subarray(0, at), STREAM.subarray(at)]), `split at ${at}`).toEqual(EXPECTED);
    }
    const bytes = [...STREAM].map((byte) => Buffer.from([byte]));
    expect(await read(bytes)).toEqual(EXPECTED);
  });

  it('refuses a line longer than 1 MiB rather than holding it', async () => {
    const endless = Array.from({ length: 20 }, () => Buffer.alloc(64 * 1024, 'a'));
    await expect(read([Buffer.from('data:'), ...endless])).rejects.toBeInstanceOf(MaviError);
  });
});
