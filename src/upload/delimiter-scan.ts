/**
 * Finds where a multipart part's body ends: the next delimiter, CRLF "--" boundary
 * (RFC 2046), searched with Buffer.indexOf (native code) in each chunk as it
 * arrives, with the few bytes at a chunk's end that could begin a delimiter held
 * over to the next. The bytes before the delimiter are the body, handed on as
 * views of the chunks they came in (no copies); the delimiter and everything
 * after it are handed back in one piece.
 *
 * Why not busboy's own search: busboy's (streamsearch, Boyer-Moore-Horspool in
 * JavaScript) costs more CPU per GiB than this native search (bench/ANALYSIS.md,
 * measured by bench/multipart-parsers.ts), and a file is nearly all of an upload's bytes.
 * The intake still gives busboy every byte around the file (multipart-intake.ts).
 */

export interface ScanStep {
  /** Body bytes, in order (empty views are left out). */
  body: Buffer[];
  /** Set once the delimiter was found: the request's bytes from the delimiter on, and where they start. */
  rest?: { bytes: Buffer; offset: number };
}

const CR = 13;

export class DelimiterScan {
  /** Trailing bytes of the last chunk that may begin a delimiter (a copy; fewer than the delimiter). */
  private carry = Buffer.alloc(0);
  /** The offset in the request of the next byte pushed. */
  private offset: number;

  constructor(
    private readonly delimiter: Buffer,
    startOffset: number,
  ) {
    if (delimiter[0] !== CR) throw new Error('a multipart delimiter starts with CRLF');
    this.offset = startOffset;
  }

  /** Takes the next bytes of the request (after the body's start); once `rest` is returned, stop. */
  push(chunk: Buffer): ScanStep {
    const start = this.offset - this.carry.length;
    this.offset += chunk.length;
    if (this.carry.length === 0) return this.scan(chunk, start);
    const carried = this.carry;
    this.carry = Buffer.alloc(0);
    // Short chunks are joined to what was carried (a few dozen bytes at most).
    if (chunk.length < this.delimiter.length) return this.scan(Buffer.concat([carried, chunk]), start);
    // Does a delimiter begin in the carried bytes? It would end within the chunk's first bytes.
    const seam = Buffer.concat([carried, chunk.subarray(0, this.delimiter.length - 1)]);
    const at = seam.indexOf(this.delimiter);
    if (at !== -1 && at < carried.length) {
      return {
        body: nonEmpty([carried.subarray(0, at)]),
        rest: { bytes: Buffer.concat([carried.subarray(at), chunk]), offset: start + at },
      };
    }
    const step = this.scan(chunk, start + carried.length);
    step.body.unshift(carried);
    return step;
  }

  /** Searches one buffer that begins at `start` in the request. */
  private scan(bytes: Buffer, start: number): ScanStep {
    const at = bytes.indexOf(this.delimiter);
    if (at !== -1) {
      return { body: nonEmpty([bytes.subarray(0, at)]), rest: { bytes: bytes.subarray(at), offset: start + at } };
    }
    // Hold over the earliest tail that is the beginning of a delimiter: it starts with CR.
    let keep = bytes.length;
    for (let from = Math.max(0, bytes.length - this.delimiter.length + 1); from < bytes.length; from += 1) {
      const cr = bytes.indexOf(CR, from);
      if (cr === -1) break;
      if (bytes.compare(this.delimiter, 0, bytes.length - cr, cr) === 0) {
        keep = cr;
        break;
      }
      from = cr;
    }
    this.carry = Buffer.from(bytes.subarray(keep)); // a copy: the chunk itself is not kept alive
    return { body: nonEmpty([bytes.subarray(0, keep)]) };
  }
}

function nonEmpty(buffers: Buffer[]): Buffer[] {
  return buffers.filter((buffer) => buffer.length > 0);
}
