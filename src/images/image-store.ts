/**
 * The gateway's own record of each picture in an owner's image library. MAVI documents no way
 * to list or delete library images (docs/mavi-families.md), so what a caller sees of its
 * library, in a list and in search results, is what is recorded here. Two backends, as for
 * statuses: SQLite (DATA_DIR) and Redis; server/backends.ts chooses.
 */

export interface ImageRecord {
  /** MAVI's id, exactly as MAVI wrote it. */
  imageId: string;
  ownerId: string;
  /** The partition (`unique_id`) it was uploaded into. */
  partition: string;
  /** The file name the client gave. */
  name: string;
  contentType: string;
  sizeBytes: number;
  /** Epoch ms. */
  uploadedAt: number;
}

/** Where a page of a list starts: after this image (newest first). */
export interface ImagePosition {
  uploadedAt: number;
  imageId: string;
}

export interface ImagePage {
  records: ImageRecord[];
  /** The last record's position when more may follow; undefined on the last page. */
  next: ImagePosition | undefined;
}

export interface ImageStore {
  add(record: ImageRecord): Promise<void>;
  get(imageId: string): Promise<ImageRecord | undefined>;
  /** The owner's images, newest first, `limit` of them after `after`. */
  list(ownerId: string, limit: number, after?: ImagePosition): Promise<ImagePage>;
  /** Removes the images; answers those that were there. */
  remove(imageIds: readonly string[]): Promise<string[]>;
  close?(): Promise<void>;
}

/** A page of `limit` records out of `limit + 1` read: the extra one says that a next page exists. */
export function pageOf(records: ImageRecord[], limit: number): ImagePage {
  const page = records.slice(0, limit);
  const last = page.at(-1);
  return { records: page, next: records.length > limit && last ? last : undefined };
}
