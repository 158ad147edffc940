/**
 * Pictures: an owner's image library (`uploadImage`, `images`, `deleteImages`), and the
 * searches that take a picture or find one (`searchImages`, `searchClipsByImage`). Always
 * limited to the caller's own: another owner's image or video is answered as an unknown one,
 * and nothing of theirs is sent to MAVI.
 *
 * A picture is streamed to MAVI as it arrives, as a video is: checked by its first bytes
 * (image types only) and counted against MAVI's 20 MB as it passes, so nothing reaches MAVI
 * for a file that is refused. A query picture is never stored; only when one picture must go
 * to MAVI once per video (searchClipsByImage over several videos) is it held in memory, within
 * the same bound, for the request.
 *
 * Which family offers pictures is the MAVI client's to say (`mavi.images`): without them,
 * every operation here is UNSUPPORTED_BY_MAVI before anything is read.
 */
import { gatewayError, refusalError } from '../errors.js';
import { clientPartition, inScope, listScope, type Owner, type Viewer } from '../identity.js';
import type { CostControl } from '../limits/cost-control.js';
import type { Logger } from '../logger.js';
import type { ImageFile, MaviApi, MaviImages } from '../mavi/api.js';
import { IMAGE_SNIFF_BYTES, imageMimeTypes, sniffImage } from '../mavi/image-types.js';
import { FileSource } from '../upload/file-source.js';
import type { IncomingFile } from '../upload/multipart-intake.js';
import { asClientError, discardUnread } from '../upload/upload-video.js';
import { videoNameRefusal } from '../upload/video-name.js';
import { MAX_PAGE_SIZE, pageSizeProblem, textQueryProblem, type VideoLibrary } from '../videos/video-library.js';
import type { ImagePage, ImagePosition, ImageRecord, ImageStore } from './image-store.js';

/** The most images one deleteImages call takes. */
export const MAX_DELETE_IMAGES = 100;
/** The most videos one searchClipsByImage call searches: each is one call to MAVI, and one turn of the search budget. */
export const MAX_IMAGE_SEARCH_VIDEOS = 10;
/** The similarity asked of MAVI when the caller names none (MAVI documents the range, 0 to 1, not a default). */
export const DEFAULT_MIN_SIMILARITY = 0.5;

export interface ImageLibraryDeps {
  mavi: MaviApi;
  store: ImageStore;
  videos: VideoLibrary;
  cost: CostControl;
  logger: Logger;
}

export interface FoundImage {
  record: ImageRecord;
  score: number | undefined;
}

export interface ClipOfPicture {
  videoNo: string;
  startSeconds: number;
  endSeconds: number;
  score: number | undefined;
}

export class ImageLibrary {
  constructor(private readonly deps: ImageLibraryDeps) {}

  /** Adds the request's picture to the owner's library, in its partition at MAVI. */
  async upload(incoming: Promise<IncomingFile>, owner: Owner, signal?: AbortSignal): Promise<ImageRecord> {
    const images = await this.offered(incoming);
    const picture = await readPicture(incoming, images.maxImageBytes);
    let imageId: string;
    try {
      imageId = await images.upload(picture.file, owner.partition, signal);
    } catch (error) {
      throw picture.explain(error);
    }
    const record: ImageRecord = {
      imageId,
      ownerId: owner.ownerId,
      partition: owner.partition,
      name: picture.file.fileName,
      contentType: imageMimeTypes[picture.file.format],
      sizeBytes: picture.bytesRead(),
      uploadedAt: Date.now(),
    };
    try {
      await this.deps.store.add(record);
    } catch (error) {
      // MAVI documents no way to delete a library image: say so, with the id, for the operator.
      this.deps.logger.error('an image is at MAVI but the gateway could not record it', { imageId, error });
      throw error;
    }
    this.deps.logger.info('image uploaded', { bytes: record.sizeBytes, client: clientPartition(owner.ownerId) });
    return record;
  }

  /** The caller's own images, newest first, from the gateway's records (no MAVI call). */
  async list(viewer: Viewer, first: number, after?: ImagePosition): Promise<ImagePage> {
    const problem = pageSizeProblem(first);
    if (problem !== undefined) throw gatewayError('INVALID_INPUT', problem);
    return this.deps.store.list(viewer.ownerId, first, after);
  }

  /** The caller's image, or undefined when it is unknown or another owner's. */
  async findOwned(viewer: Viewer, imageId: string): Promise<ImageRecord | undefined> {
    const record = await this.deps.store.get(imageId);
    return record && inScope(listScope(viewer), record.ownerId) ? record : undefined;
  }

  /**
   * Deletes the caller's images among `imageIds` from its library here: they are no longer
   * listed nor found by a search. MAVI documents no image deletion, so its copy stays
   * (docs/mavi-families.md). Unknown and other owners' images are skipped alike.
   */
  async delete(viewer: Viewer, imageIds: readonly string[]): Promise<string[]> {
    const unique = [...new Set(imageIds)];
    if (unique.length > MAX_DELETE_IMAGES) {
      throw gatewayError(
        'INVALID_INPUT',
        `At most ${MAX_DELETE_IMAGES} images may be deleted at once; got ${unique.length}.`,
      );
    }
    const owned = (await Promise.all(unique.map((imageId) => this.findOwned(viewer, imageId)))).filter(
      (record) => record !== undefined,
    );
    if (owned.length === 0) return [];
    const deleted = await this.deps.store.remove(owned.map((record) => record.imageId));
    this.deps.logger.info('images deleted', { count: deleted.length, client: clientPartition(viewer.ownerId) });
    return deleted;
  }

  /** Removes every image of an owner (its erasure); answers how many. */
  async eraseOwner(ownerId: string): Promise<number> {
    let erased = 0;
    for (;;) {
      const page = await this.deps.store.list(ownerId, MAX_PAGE_SIZE);
      if (page.records.length === 0) return erased;
      erased += (await this.deps.store.remove(page.records.map((record) => record.imageId))).length;
    }
  }

  /**
   * The caller's images that match a text query, or look like a picture: exactly one of the
   * two. Hits are filtered to the caller's current library (MAVI keeps deleted ones).
   */
  async search(
    viewer: Viewer,
    request: {
      query?: string;
      file?: Promise<IncomingFile>;
      first: number;
      minSimilarity?: number;
      signal?: AbortSignal;
    },
  ): Promise<FoundImage[]> {
    const { query, file, first, signal } = request;
    if ((query === undefined) === (file === undefined)) {
      discardUnread(file);
      throw gatewayError('INVALID_INPUT', 'Give exactly one of `query` (text) and `file` (a picture).');
    }
    const images = await this.offered(file);
    const similarity = request.minSimilarity ?? DEFAULT_MIN_SIMILARITY;
    const problem =
      pageSizeProblem(first) ??
      (query !== undefined ? textQueryProblem(query, 'query') : undefined) ??
      (similarity >= 0 && similarity <= 1 ? undefined : `minSimilarity must be from 0 to 1; got ${similarity}.`);
    if (problem !== undefined) {
      discardUnread(file);
      throw gatewayError('INVALID_INPUT', problem);
    }
    await this.spendSearch(viewer, file);
    // MAVI may hold images this caller deleted, so more are asked for than the page needs.
    const wanted = Math.min(1000, first * 4);
    let hits;
    if (query !== undefined) {
      hits = await images.searchByText(query, viewer.partition, wanted, signal);
    } else {
      const picture = await readPicture(file!, images.maxImageBytes);
      try {
        hits = await images.searchSimilar(picture.file, viewer.partition, similarity, signal);
      } catch (error) {
        throw picture.explain(error);
      }
    }
    // At most `wanted` look-ups, at once: the caller's own, in MAVI's order.
    const records = await Promise.all(hits.slice(0, wanted).map((hit) => this.findOwned(viewer, hit.imageId)));
    return hits
      .flatMap((hit, index) => {
        const record = records[index];
        return record && record.ownerId === viewer.ownerId ? [{ record, score: hit.score }] : [];
      })
      .slice(0, first);
  }

  /**
   * The moments of the caller's own videos that match the picture and the prompt, best first.
   * Every video is checked before the picture is read: one that is not the caller's is
   * VIDEO_NOT_FOUND, and nothing reaches MAVI.
   */
  async searchClips(
    viewer: Viewer,
    request: { file: Promise<IncomingFile>; videoNos: readonly string[]; prompt: string; signal?: AbortSignal },
  ): Promise<ClipOfPicture[]> {
    const { file, prompt, signal } = request;
    const images = await this.offered(file);
    const videoNos = [...new Set(request.videoNos)];
    const problem =
      videoNos.length === 0
        ? 'Name at least one video in videoNos.'
        : videoNos.length > MAX_IMAGE_SEARCH_VIDEOS
          ? `At most ${MAX_IMAGE_SEARCH_VIDEOS} videos may be searched with a picture at once; got ${videoNos.length}.`
          : textQueryProblem(prompt, 'prompt');
    if (problem !== undefined) {
      discardUnread(file);
      throw gatewayError('INVALID_INPUT', problem);
    }
    try {
      await this.deps.videos.requireOwned(viewer, videoNos);
    } catch (error) {
      discardUnread(file);
      throw error;
    }
    for (let turn = 0; turn < videoNos.length; turn += 1) await this.spendSearch(viewer, file);
    // One video: the picture streams through. Several: MAVI needs it once per video, so it is read first.
    const picture = await readPicture(file, images.maxImageBytes, videoNos.length > 1);
    const clips: ClipOfPicture[] = [];
    try {
      for (const videoNo of videoNos) {
        const found = await images.searchClips(picture.file, videoNo, prompt, signal);
        clips.push(...found.map((clip) => ({ videoNo, ...clip })));
      }
    } catch (error) {
      throw picture.explain(error);
    }
    return clips.sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
  }

  /** MAVI's picture endpoints, or UNSUPPORTED_BY_MAVI (the request's picture then goes unread). */
  private async offered(file: Promise<IncomingFile> | undefined): Promise<MaviImages> {
    const { images, family } = this.deps.mavi;
    if (images) return images;
    discardUnread(file);
    throw gatewayError(
      'UNSUPPORTED_BY_MAVI',
      `The MAVI API family behind this gateway (MAVI_API=${family}) has no image library or picture search; the successor family (MAVI_API=v1) has.`,
    );
  }

  /** One turn of the search budget; refused, the request's picture goes unread. */
  private async spendSearch(viewer: Viewer, file: Promise<IncomingFile> | undefined): Promise<void> {
    try {
      await this.deps.cost.spend('search', viewer.ownerId);
    } catch (error) {
      discardUnread(file);
      throw error;
    }
  }
}

/** A picture checked by its first bytes, ready for MAVI; `explain` turns a failure while sending into the caller's error. */
interface Picture {
  file: ImageFile;
  bytesRead(): number;
  explain(error: unknown): unknown;
}

/**
 * The request's picture: refused when it is empty, not an image (whatever its declared
 * type) or larger than `maxBytes`, before MAVI is called. Streamed, unless `whole`.
 */
async function readPicture(incoming: Promise<IncomingFile>, maxBytes: number, whole = false): Promise<Picture> {
  const file = await incoming.catch((error: unknown) => {
    throw asClientError(error);
  });
  const fileName = file.filename || 'picture';
  const badName = videoNameRefusal(fileName);
  if (badName) {
    file.createReadStream().destroy();
    throw refusalError(badName);
  }
  const source = new FileSource(file.createReadStream(), { maxBytes, verifyEnd: () => file.requestComplete() });
  const explain = (error: unknown) =>
    asClientError(source.failure instanceof Error ? source.failure : (file.failure() ?? error));
  const head = await source.peek(IMAGE_SNIFF_BYTES).catch((error: unknown) => {
    throw explain(error);
  });
  if (head.length === 0) {
    source.discard();
    throw gatewayError('EMPTY_FILE', `The file "${fileName}" is empty; nothing was sent to MAVI.`);
  }
  const format = sniffImage(head);
  if (format === undefined) {
    source.discard();
    throw gatewayError(
      'UNSUPPORTED_MEDIA_TYPE',
      `The file "${fileName}" is not a JPEG, PNG, GIF, BMP or WebP picture (whatever its declared type, ${file.mimetype}); nothing was sent to MAVI.`,
    );
  }
  const bytes = whole
    ? await readWhole(source).catch((error: unknown) => Promise.reject(explain(error)))
    : source.body();
  return { file: { bytes, fileName, format }, bytesRead: () => source.bytesRead, explain };
}

/** Every byte of the source, within its bound. */
async function readWhole(source: FileSource): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source.body()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
