/**
 * Tells a video container from its first bytes, before anything reaches MAVI.
 * MAVI takes h264/h265/vp9 video, which in practice arrives as MP4/MOV or
 * Matroska/WebM; anything else would only fail later, at MAVI, after a full
 * upload. The content type a client claims is not trusted.
 */

export type VideoContainer = 'mp4' | 'matroska';

/** How many bytes `sniffContainer` needs. */
export const SNIFF_BYTES = 12;

const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);

export function sniffContainer(head: Buffer): VideoContainer | undefined {
  // ISO base media (MP4, MOV, 3GP…): the first box is `ftyp`: 4 bytes of size, then the type.
  if (head.length >= 8 && head.toString('latin1', 4, 8) === 'ftyp') return 'mp4';
  // Matroska and WebM start with an EBML header element.
  if (head.length >= 4 && head.subarray(0, 4).equals(EBML_MAGIC)) return 'matroska';
  return undefined;
}
