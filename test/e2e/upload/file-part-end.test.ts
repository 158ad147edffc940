/**
 * The end of the file part is found by a native scan (upload/delimiter-scan.ts),
 * not by busboy: wherever the client's chunks split the body, around bytes that
 * look like the start of a delimiter or the real one, the file reaches MAVI byte
 * for byte and busboy still judges everything after it.
 */
import { createHash } from 'node:crypto';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DelimiterScan } from '../../../src/upload/delimiter-scan.js';
import { UploadVideoDocument } from '../../generated/operations.js';
import { MP4_HEADER } from '../../utils/multipart-client.js';
import { sendRaw } from '../../utils/raw-http.js';
import { startStack, type Stack } from '../../utils/stack.js';

const BOUNDARY = 'XBoundary7';
const DELIMITER = Buffer.from(`\r\n--${BOUNDARY}`);
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** File bytes full of near-delimiters: CR, CRLF, CRLF-, CRLF--, and the boundary cut short at every length. */
const TRICKY = Buffer.concat([
  MP4_HEADER,
  Buffer.from('\r'),
  Buffer.from('\r\n'),
  Buffer.from('\r\n-'),
  Buffer.from('\r\n--'),
  ...Array.from({ length: BOUNDARY.length }, (_, k) => Buffer.from(`\r\n--${BOUNDARY.slice(0, k)}x`)),
  Buffer.from(`--${BOUNDARY}`), // the boundary without the CRLF before it is data
  Buffer.from('\r\r\n\r\n--'),
  Buffer.from('\r'), // the file ends on a CR: the delimiter's own CR follows at once
]);

describe('DelimiterScan', () => {
  const after = Buffer.from(`--\r\n`);
  const request = Buffer.concat([TRICKY, DELIMITER, after]);

  it('finds the end at the same place however the bytes are split in two or three', () => {
    for (let first = 0; first <= request.length; first += 1) {
      for (const second of [first, first + 1, first + 3, first + DELIMITER.length - 1]) {
        const cuts = [0, first, Math.min(second, request.length), request.length];
        const scan = new DelimiterScan(DELIMITER, 1000);
        const body: Buffer[] = [];
        let rest: { bytes: Buffer; offset: number } | undefined;
        for (let piece = 0; piece < 3 && rest === undefined; piece += 1) {
          const step = scan.push(request.subarray(cuts[piece], cuts[piece + 1]));
          body.push(...step.body);
          rest = step.rest;
        }
        expect(Buffer.concat(body).equals(TRICKY), `split at ${first}, ${second}`).toBe(true);
        expect(rest?.offset, `split at ${first}, ${second}`).toBe(1000 + TRICKY.length);
        expect(rest!.bytes.subarray(0, DELIMITER.length).equals(DELIMITER)).toBe(true);
      }
    }
  });

  it('one byte at a time', () => {
    const scan = new DelimiterScan(DELIMITER, 0);
    const body: Buffer[] = [];
    for (let at = 0; at < request.length; at += 1) {
      const step = scan.push(request.subarray(at, at + 1));
      body.push(...step.body);
      if (step.rest) {
        expect(step.rest.offset).toBe(TRICKY.length);
        break;
      }
    }
    expect(Buffer.concat(body).equals(TRICKY)).toBe(true);
  });

  it('hands back nothing held over when no delimiter ever comes', () => {
    const scan = new DelimiterScan(DELIMITER, 0);
    const step = scan.push(Buffer.from('abc\r\n--XB'));
    expect(Buffer.concat(step.body).toString()).toBe('abc');
    expect(step.rest).toBeUndefined();
  });
});

describe('uploads whose file ends where the chunks are cut', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ simulator: { manualCallbacks: true } });
  });
  afterAll(() => stack.stop());

  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n` +
      `${JSON.stringify({ query: print(UploadVideoDocument), variables: { file: null } })}\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.file"]}\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="tricky.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
  );

  /** Sends head + file + tail in pieces cut at `cuts` (offsets into the whole body), each its own read. */
  async function send(file: Buffer, tail: string, cuts: number[]) {
    const body = Buffer.concat([head, file, Buffer.from(tail)]);
    const points = [0, ...cuts.filter((cut) => cut > 0 && cut < body.length).sort((a, b) => a - b), body.length];
    const pieces = points.slice(1).map((end, index) => body.subarray(points[index], end));
    const exchange = sendRaw(stack.graphqlUrl, {
      headers: {
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        'content-length': String(body.length),
        'apollo-require-preflight': 'true',
      },
      body: pieces,
      pieceByPiece: true,
    });
    return (await exchange.response)!;
  }

  const fileEnd = head.length + TRICKY.length;
  const closing = `\r\n--${BOUNDARY}--\r\n`;

  it.each([
    ['in one piece', []],
    ['the file alone', [head.length, fileEnd]],
    ['inside the delimiter, after its CR', [fileEnd + 1]],
    ['inside the delimiter, in the boundary', [fileEnd + 6]],
    ['before the final "--"', [fileEnd + DELIMITER.length]],
    [
      'the near-delimiters cut one byte apart',
      Array.from({ length: 60 }, (_, k) => head.length + MP4_HEADER.length + k),
    ],
    ['the last 20 bytes one by one', Array.from({ length: 20 }, (_, k) => fileEnd - 10 + k)],
    ['the file begins in the chunk that ends the head', [head.length + 5, head.length + 40]],
  ])('the file arrives intact: %s', async (_name, cuts) => {
    const response = await send(TRICKY, closing, cuts);
    expect(response.json.errors).toBeUndefined();
    const received = stack.simulator.videos.get(response.json.data.uploadVideo.videoNo)!;
    expect(received).toMatchObject({ bytes: TRICKY.length, sha256: sha256(TRICKY), videoName: 'tricky.mp4' });
  });

  it('a field after the file is refused, the delimiter before it cut in two', async () => {
    const videosBefore = stack.simulator.videos.size;
    const tail = `\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="extra"\r\n\r\nx\r\n--${BOUNDARY}--\r\n`;
    const response = await send(TRICKY, tail, [fileEnd + 4]);
    expect(response.json.errors[0].extensions.code).toBe('INVALID_MULTIPART');
    expect(response.json.errors[0].message).toMatch(/Unexpected field 'extra'/);
    expect(stack.simulator.videos.size).toBe(videosBefore);
  });

  it('a second file is refused, and MAVI keeps nothing', async () => {
    const videosBefore = stack.simulator.videos.size;
    const tail =
      `\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="1"; filename="b.mp4"\r\n` +
      `Content-Type: video/mp4\r\n\r\nyy\r\n--${BOUNDARY}--\r\n`;
    const response = await send(TRICKY, tail, [fileEnd + 2, fileEnd + 9]);
    expect(response.json.errors[0].extensions.code).toBe('ONE_FILE_ONLY');
    expect(stack.simulator.videos.size).toBe(videosBefore);
  });

  it('a body that ends inside the file, or inside its closing delimiter, is refused', async () => {
    for (const cut of [fileEnd - 3, fileEnd + 5]) {
      const videosBefore = stack.simulator.videos.size;
      const body = Buffer.concat([head, TRICKY, Buffer.from(closing)]).subarray(0, cut);
      const exchange = sendRaw(stack.graphqlUrl, {
        headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'apollo-require-preflight': 'true' },
        body: [body],
        chunked: true,
        pieceByPiece: true,
      });
      const response = (await exchange.response)!;
      expect(response.json.errors[0].extensions.code).toBe('INVALID_MULTIPART');
      expect(response.json.errors[0].message).toMatch(/Unexpected end of form|Unexpected end of file/);
      expect(stack.simulator.videos.size).toBe(videosBefore);
    }
  });
});
