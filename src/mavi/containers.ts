/**
 * Video containers, told from a file's first bytes (the content type a client
 * claims is not trusted), and the MIME type each is sent to MAVI as. Which
 * containers a MAVI API family takes is the family's decision (original-api.ts,
 * v1-api.ts).
 */

export type VideoContainer = 'mp4' | 'quicktime' | 'matroska' | 'webm' | 'avi';

/** How many bytes `sniffContainer` looks at. */
export const SNIFF_BYTES = 64;

export const containerMimeTypes: Record<VideoContainer, string> = {
  mp4: 'video/mp4',
  quicktime: 'video/quicktime',
  matroska: 'video/x-matroska',
  webm: 'video/webm',
  avi: 'video/x-msvideo',
};

const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);
const EBML_DOC_TYPE = Buffer.from([0x42, 0x82]);

export function sniffContainer(head: Buffer): VideoContainer | undefined {
  // ISO base media (MP4, MOV, 3GP…): the first box is `ftyp` (4 bytes of size, then the type),
  // then the major brand: "qt  " for QuickTime.
  if (head.length >= 8 && head.toString('latin1', 4, 8) === 'ftyp') {
    return head.toString('latin1', 8, 12) === 'qt  ' ? 'quicktime' : 'mp4';
  }
  // AVI: a RIFF file of form type "AVI ".
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'AVI ') {
    return 'avi';
  }
  // Matroska and WebM: an EBML header whose DocType element (0x4282) names which.
  if (head.length >= 4 && head.subarray(0, 4).equals(EBML_MAGIC)) {
    const at = head.indexOf(EBML_DOC_TYPE, 4);
    const size = at === -1 ? 0 : (head[at + 2] ?? 0) & 0x7f; // a one-byte EBML size, as encoders write it
    const docType = at === -1 ? '' : head.toString('latin1', at + 3, at + 3 + size);
    return docType === 'webm' ? 'webm' : 'matroska';
  }
  return undefined;
}
