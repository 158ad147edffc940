/** Containers told from a file's first bytes, whatever type the client claims. */
import { describe, expect, it } from 'vitest';
import { sniffContainer } from '../../src/mavi/containers.js';

const ebml = (docType: string) =>
  Buffer.concat([
    Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01]),
    Buffer.from([0x42, 0x82, 0x80 | docType.length]),
    Buffer.from(docType, 'latin1'),
  ]);

describe('sniffContainer', () => {
  it('tells MP4, QuickTime, AVI, Matroska and WebM apart', () => {
    expect(sniffContainer(Buffer.from('\0\0\0\x18ftypmp42\0\0\0\0', 'latin1'))).toBe('mp4');
    expect(sniffContainer(Buffer.from('\0\0\0\x14ftypqt  \0\0\0\0', 'latin1'))).toBe('quicktime');
    expect(sniffContainer(Buffer.from('RIFF\x10\0\0\0AVI LIST', 'latin1'))).toBe('avi');
    expect(sniffContainer(ebml('matroska'))).toBe('matroska');
    expect(sniffContainer(ebml('webm'))).toBe('webm');
  });

  it('names nothing else, and nothing from too few bytes', () => {
    expect(sniffContainer(Buffer.from('RIFF\x10\0\0\0WAVEfmt ', 'latin1'))).toBeUndefined(); // a WAV file
    expect(sniffContainer(Buffer.from('%PDF-1.7\n', 'latin1'))).toBeUndefined();
    expect(sniffContainer(Buffer.from('\0\0\0\x18fty', 'latin1'))).toBeUndefined();
    expect(sniffContainer(Buffer.alloc(0))).toBeUndefined();
    // An EBML header without a DocType is Matroska, its default.
    expect(sniffContainer(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x80]))).toBe('matroska');
  });
});
