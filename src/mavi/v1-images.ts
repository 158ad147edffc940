/**
 * The successor family's pictures (docs/memories-api.md §2.6, §2.12): `upload_img` adds one to
 * a partition's image library (repeated `files` parts; one is sent), `search` with
 * `search_type=BY_IMAGE` finds library images by text, `search_similar_images` by a picture,
 * and `search_clips_by_image` the moments of one video that match a picture and a prompt.
 *
 * Image ids are JSON numbers above 2^53 (§1.7): every answer here is parsed keeping them exact.
 * What is not documented is read defensively: the similar-image answer's shape (a list, or
 * BY_IMAGE's `{item: [...]}`), and whether `upload_img` honours `unique_id` (it is sent; the
 * gateway's own records decide what a caller sees either way).
 */
import { Readable } from 'node:stream';
import type { ClipInVideo, ImageFile, ImageHit, MaviImages } from './api.js';
import { listOf, seconds } from './answers.js';
import { MaviError } from './errors.js';
import type { CallInit, MaviHttp } from './http.js';
import { imageExtensions, imageMimeTypes } from './image-types.js';
import { multipartFileBody } from './multipart-body.js';

const PREFIX = '/serve/api/v1/';

/** "≤20 MB", read as 20 × 10^6 bytes, the smaller reading: MAVI never refuses what passed the gateway. */
const MAX_IMAGE_BYTES = 20_000_000;

export function v1Images(http: MaviHttp): MaviImages {
  return {
    maxImageBytes: MAX_IMAGE_BYTES,

    async upload(image, partition, signal) {
      const data = await http.call<unknown>(`${PREFIX}upload_img`, {
        ...multipartImage(image, 'files', [['unique_id', partition]]),
        exactIntegers: true,
        signal,
      });
      const imageId = Array.isArray(data) ? idOf((data[0] as { id?: unknown } | undefined)?.id) : undefined;
      if (imageId === undefined)
        throw new MaviError('MAVI_UNAVAILABLE', 'MAVI answered the image upload without an id.');
      return imageId;
    },

    async searchByText(query, partition, limit, signal) {
      const data = await http.call<unknown>(`${PREFIX}search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ search_param: query, search_type: 'BY_IMAGE', unique_id: partition, top_k: limit }),
        exactIntegers: true,
        signal,
      });
      return imageHits(data).slice(0, limit);
    },

    async searchSimilar(image, partition, similarity, signal) {
      const data = await http.call<unknown>(`${PREFIX}search_similar_images`, {
        ...multipartImage(image, 'file', [
          ['unique_id', partition],
          ['similarity', String(similarity)],
        ]),
        exactIntegers: true,
        signal,
      });
      return imageHits(data);
    },

    async searchClips(image, videoNo, prompt, signal) {
      const data = await http.call<unknown[]>(`${PREFIX}search_clips_by_image`, {
        ...multipartImage(image, 'file', [
          ['video_no', videoNo],
          ['prompt', prompt],
        ]),
        signal,
      });
      // Clip-by-image hits are snake_case, unlike text search's (§1.7).
      return listOf(data, 'search_clips_by_image').flatMap((row): ClipInVideo[] => {
        const hit = (row ?? {}) as { start_time?: unknown; end_time?: unknown; score?: unknown };
        const startSeconds = seconds(hit.start_time);
        const endSeconds = seconds(hit.end_time);
        if (startSeconds === undefined || endSeconds === undefined) return [];
        return [{ startSeconds, endSeconds, score: seconds(hit.score) }];
      });
    },
  };
}

/** A multipart POST of the fields, then the picture as `fileField`, typed by its sniffed format. */
function multipartImage(
  image: ImageFile,
  fileField: string,
  fields: [string, string][],
): Pick<CallInit, 'method' | 'headers' | 'body' | 'upload'> {
  const bytes = Buffer.isBuffer(image.bytes) ? image.bytes : undefined;
  const { contentType, body, contentLength } = multipartFileBody({
    fields,
    fileField,
    fileName: withExtension(image.fileName, imageExtensions[image.format]),
    fileContentType: imageMimeTypes[image.format],
    file: bytes ? Readable.from([bytes]) : (image.bytes as Readable),
    fileSize: bytes ? bytes.length : image.size,
  });
  const headers: Record<string, string> = { 'content-type': contentType };
  if (contentLength !== undefined) headers['content-length'] = String(contentLength);
  return { method: 'POST', headers, body, upload: true };
}

/** The name with the format's extension, so that MAVI sees a name that matches the bytes. */
function withExtension(fileName: string, extension: string): string {
  const lower = fileName.toLowerCase();
  if (lower.endsWith(extension) || (extension === '.jpg' && lower.endsWith('.jpeg'))) return fileName;
  return `${fileName.replace(/\.[^./]*$/, '')}${extension}`;
}

/** BY_IMAGE's `{item: [...]}`, or a bare list, as hits; rows without a usable id are skipped. */
function imageHits(data: unknown): ImageHit[] {
  const rows = Array.isArray(data) ? data : (data as { item?: unknown } | null)?.item;
  return listOf(rows as unknown[] | undefined, 'an image search').flatMap((row): ImageHit[] => {
    const item = (row ?? {}) as { id?: unknown; image_id?: unknown; score?: unknown; similarity?: unknown };
    const imageId = idOf(item.id ?? item.image_id);
    if (imageId === undefined) return [];
    return [{ imageId, score: seconds(item.score ?? item.similarity) }];
  });
}

/** An id as its digits: a string of them, or a number that is an exact integer (large ones arrive as strings). */
function idOf(value: unknown): string | undefined {
  if (typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}
