/**
 * What finding the file part's end costs, parser against parser (issue 17, item
 * 3): a 512 MiB GraphQL multipart body in 64 KiB chunks, fed in-process to
 *  - busboy (what the gateway uses; streamsearch's Boyer-Moore-Horspool in JS),
 *  - @fastify/busboy (a maintained fork with its own search),
 *  - a bare `Buffer.indexOf` scan for the closing delimiter, carrying only the
 *    last delimiter-length − 1 bytes over each chunk end (the floor: what native
 *    search costs, with no part headers, limits or checks).
 * CPU seconds per GiB of this process, 3 runs each, each parser in a process of
 * its own (so one's JIT and heap do not colour another's).
 *
 *   npx tsx bench/multipart-parsers.ts
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { Busboy as FastifyBusboy } from '@fastify/busboy';
import busboy from 'busboy';
import { fmt, median } from './lib/stats.js';

const SIZE = 512 * 1024 * 1024;
const CHUNK = 64 * 1024;
const BOUNDARY = 'bench-boundary-0123456789abcdef';
const PARSERS = ['busboy', '@fastify/busboy', 'Buffer.indexOf scan'] as const;
type Parser = (typeof PARSERS)[number];

function body(): Readable {
  const pattern = randomBytes(16 * 1024 * 1024);
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{}\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="a.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
  );
  let sent = -1;
  return new Readable({
    read() {
      if (sent === -1) {
        sent = 0;
        return void this.push(head);
      }
      if (sent >= SIZE) {
        this.push(Buffer.from(`\r\n--${BOUNDARY}--\r\n`));
        return void this.push(null);
      }
      const offset = sent % pattern.length;
      const size = Math.min(CHUNK, SIZE - sent, pattern.length - offset);
      this.push(pattern.subarray(offset, offset + size));
      sent += size;
    },
  });
}

/** The file part's bytes, found with Buffer.indexOf; the head is skipped by its blank line. */
function indexOfScan(onBytes: (count: number) => void): Writable {
  const delimiter = Buffer.from(`\r\n--${BOUNDARY}`);
  let head: Buffer | undefined = Buffer.alloc(0);
  let carry: Buffer = Buffer.alloc(0);
  let inFile = true;
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (head) {
        head = Buffer.concat([head, chunk]);
        const fileAt = head.indexOf('filename=');
        const start = fileAt === -1 ? -1 : head.indexOf('\r\n\r\n', fileAt);
        if (start === -1) return done();
        chunk = head.subarray(start + 4);
        head = undefined;
      }
      if (!inFile) return done();
      if (carry.length > 0) {
        // Only the seam is joined: a delimiter that starts in the carry ends within it.
        const seam = Buffer.concat([carry, chunk.subarray(0, delimiter.length - 1)]);
        const at = seam.indexOf(delimiter);
        if (at !== -1) {
          onBytes(at);
          inFile = false;
          return done();
        }
        onBytes(carry.length);
      }
      const at = chunk.indexOf(delimiter);
      if (at !== -1) {
        onBytes(at);
        inFile = false;
        return done();
      }
      const keep = Math.min(delimiter.length - 1, chunk.length);
      onBytes(chunk.length - keep);
      carry = chunk.subarray(chunk.length - keep);
      done();
    },
  });
}

async function parseOnce(parser: Parser): Promise<{ cpuPerGiB: number; fileBytes: number }> {
  const headers = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
  let fileBytes = 0;
  const count = (bytes: number) => (fileBytes += bytes);
  const before = process.cpuUsage();
  await new Promise<void>((resolve, reject) => {
    let sink: Writable;
    if (parser === 'busboy') {
      const parsing = busboy({ headers });
      parsing.on('file', (_name, stream) => stream.on('data', (data: Buffer) => count(data.length)));
      parsing.on('close', resolve);
      sink = parsing;
    } else if (parser === '@fastify/busboy') {
      const parsing = new FastifyBusboy({ headers });
      parsing.on('file', (_name, stream) => stream.on('data', (data: Buffer) => count(data.length)));
      parsing.on('finish', resolve);
      sink = parsing;
    } else {
      sink = indexOfScan(count);
      sink.on('finish', resolve);
    }
    sink.on('error', reject);
    body().pipe(sink);
  });
  const used = process.cpuUsage(before);
  return { cpuPerGiB: (((used.user + used.system) / 1e6) * 1024 ** 3) / SIZE, fileBytes };
}

const only = process.argv[2] as Parser | undefined;
if (only) {
  // One parser, in this process of its own: print its runs for the parent.
  const runs = [];
  for (let run = 0; run < 3; run += 1) runs.push(await parseOnce(only));
  if (runs.some((run) => run.fileBytes !== SIZE))
    throw new Error(`${only} found ${runs[0]!.fileBytes} file bytes, not ${SIZE}`);
  process.stdout.write(JSON.stringify(runs.map((run) => run.cpuPerGiB)));
} else {
  process.stdout.write('| parser | CPU s per GiB (median) | every run |\n|---|---|---|\n');
  for (const parser of PARSERS) {
    const output = execFileSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, parser]);
    const runs = JSON.parse(output.toString()) as number[];
    process.stdout.write(`| ${parser} | ${fmt(median(runs), 2)} | ${runs.map((run) => fmt(run, 2)).join(', ')} |\n`);
  }
}
