/** The image records on disk, in DATA_DIR (or in memory with STORE=memory), a file of their own. */
import { join } from 'node:path';
import { IN_MEMORY, SqliteFile, type SqliteSynchronous } from '../sqlite/sqlite-file.js';
import { pageOf, type ImageRecord, type ImageStore } from './image-store.js';

const DATABASE_FILE = 'images.sqlite';

/** Versioned schema: migration N brings the file from version N to N+1. */
const MIGRATIONS = [
  `CREATE TABLE images (
     image_id TEXT PRIMARY KEY,
     owner_id TEXT NOT NULL,
     partition TEXT NOT NULL,
     name TEXT NOT NULL,
     content_type TEXT NOT NULL,
     size_bytes INTEGER NOT NULL,
     uploaded_at INTEGER NOT NULL
   );
   CREATE INDEX images_by_owner ON images (owner_id, uploaded_at DESC, image_id DESC);`,
];

interface Row {
  image_id: string;
  owner_id: string;
  partition: string;
  name: string;
  content_type: string;
  size_bytes: number;
  uploaded_at: number;
}

export function openSqliteImageStore(
  /** The folder of the database file; undefined: in memory only. */
  dataDir: string | undefined,
  synchronous: SqliteSynchronous,
): ImageStore & { isHealthy(): boolean } {
  const file = new SqliteFile({
    path: dataDir === undefined ? IN_MEMORY : join(dataDir, DATABASE_FILE),
    what: 'images database',
    synchronous,
    migrations: MIGRATIONS,
  });
  const { db } = file;
  const sql = {
    add: db.prepare(
      `INSERT OR REPLACE INTO images (image_id, owner_id, partition, name, content_type, size_bytes, uploaded_at)
       VALUES (@imageId, @ownerId, @partition, @name, @contentType, @sizeBytes, @uploadedAt)`,
    ),
    get: db.prepare<[string], Row>('SELECT * FROM images WHERE image_id = ?'),
    first: db.prepare<[string, number], Row>(
      'SELECT * FROM images WHERE owner_id = ? ORDER BY uploaded_at DESC, image_id DESC LIMIT ?',
    ),
    after: db.prepare<[string, number, number, string, number], Row>(
      `SELECT * FROM images WHERE owner_id = ? AND (uploaded_at < ? OR (uploaded_at = ? AND image_id < ?))
       ORDER BY uploaded_at DESC, image_id DESC LIMIT ?`,
    ),
    remove: db.prepare('DELETE FROM images WHERE image_id = ?'),
  };

  return {
    add: (record) =>
      file.submit(() => {
        sql.add.run(record);
      }),
    get: async (imageId) => file.read(() => recordOf(sql.get.get(imageId))),
    list: async (ownerId, limit, after) =>
      file.read(() => {
        const rows =
          after === undefined
            ? sql.first.all(ownerId, limit + 1)
            : sql.after.all(ownerId, after.uploadedAt, after.uploadedAt, after.imageId, limit + 1);
        return pageOf(
          rows.map((row) => recordOf(row)!),
          limit,
        );
      }),
    remove: (imageIds) => file.submit(() => imageIds.filter((imageId) => sql.remove.run(imageId).changes === 1)),
    isHealthy: () => file.isHealthy(),
    close: () => file.close(),
  };
}

function recordOf(row: Row | undefined): ImageRecord | undefined {
  if (!row) return undefined;
  return {
    imageId: row.image_id,
    ownerId: row.owner_id,
    partition: row.partition,
    name: row.name,
    contentType: row.content_type,
    sizeBytes: row.size_bytes,
    uploadedAt: row.uploaded_at,
  };
}
