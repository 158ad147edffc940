/**
 * Picture formats, told from a file's first bytes (the content type a client claims is not
 * trusted), and the MIME type each is sent to MAVI as. MAVI's image endpoints take jpg, png,
 * gif, bmp and webp (docs/memories-api.md §2.6, §2.12): those are the formats told apart here.
 */

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'bmp' | 'webp';

/** How many bytes `sniffImage` looks at. */
export const IMAGE_SNIFF_BYTES = 16;

export const imageMimeTypes: Record<ImageFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  bmp: 'image/bmp',
  webp: 'image/webp',
};

/** The file name extension each format is sent with (MAVI may check it, as it does for videos). */
export const imageExtensions: Record<ImageFormat, string> = {
  jpeg: '.jpg',
  png: '.png',
  gif: '.gif',
  bmp: '.bmp',
  webp: '.webp',
};

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function sniffImage(head: Buffer): ImageFormat | undefined {
  // JPEG: a Start Of Image marker, then another marker.
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.length >= 8 && head.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png';
  if (head.length >= 6 && /^GIF8[79]a$/.test(head.toString('latin1', 0, 6))) return 'gif';
  // BMP: "BM", then the file size, two reserved words (zero in every writer), and the pixels' offset.
  if (head.length >= 14 && head.toString('latin1', 0, 2) === 'BM' && head.readUInt32LE(6) === 0) return 'bmp';
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') {
    return 'webp';
  }
  return undefined;
}
