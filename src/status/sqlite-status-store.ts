/**
 * The single-instance status store on disk: SQLite (better-sqlite3) in WAL mode,
 * one file under DATA_DIR (opened, migrated and group-committed by
 * sqlite/sqlite-file.ts). What the gateway has answered (an upload, a callback
 * with 2xx) or announced (an event) is committed first, so it survives a crash
 * of the process and a restart. The gateway locks DATA_DIR before opening it
 * (sqlite/data-dir-lock.ts).
 *
 * Bounded: videos not updated for `maxAgeMs` and uploads never answered within a
 * day are swept; past `maxBytes` (accounted per record, see storedBytes) the least
 * recently updated videos go first. Transitions are decided by transitions.ts.
 *
 * An upload that was open when the previous process died (MAVI may have taken the
 * file; its answer never arrived) is marked interrupted when the store opens: the
 * first authentic callback for it then binds it to the callback's videoNo, and a
 * callback held for it is bound at once. Its owner sees the video after all.
 */
import { ownerIdRange } from '../identity.js';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { IN_MEMORY, SqliteFile, type SqliteSynchronous } from '../sqlite/sqlite-file.js';
import { isVideoStatus, type VideoStatus } from '../mavi/types.js';
import {
  DEFAULT_MAX_AGE_MS,
  foldName,
  OPEN_UPLOAD_TTL_MS,
  storedBytes,
  appDataText,
  parseAppData,
  type CallbackOutcome,
  type CompletedUpload,
  type StatusChange,
  type StatusStore,
  storedPartition,
  type VideoRecord,
} from './status-store.js';
import { nextStatus } from './transitions.js';
import {
  EVENT_RETENTION_MS,
  eventsOfChange,
  newEventId,
  type StoredVideoEvent,
  type VideoEventType,
} from './video-events.js';

/** The file's name inside DATA_DIR. */
export const DATABASE_FILE = 'gateway.sqlite';

/** Versioned schema: migration N brings the database from version N to N+1 (PRAGMA user_version). */
const MIGRATIONS = [
  `
  CREATE TABLE videos (
    video_no    TEXT PRIMARY KEY,
    video_name  TEXT NOT NULL,
    status      TEXT NOT NULL,
    upload_time INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    owner_id    TEXT NOT NULL,
    bytes       INTEGER NOT NULL
  );
  CREATE INDEX videos_by_update ON videos (updated_at);
  CREATE INDEX videos_pending ON videos (updated_at) WHERE status NOT IN ('PARSE', 'FAIL');
  CREATE TABLE uploads (
    upload_id     TEXT PRIMARY KEY,
    owner_id      TEXT NOT NULL,
    video_name    TEXT NOT NULL,
    opened_at     INTEGER NOT NULL,
    video_no      TEXT,
    interrupted   INTEGER NOT NULL DEFAULT 0,
    held_video_no TEXT,
    held_status   TEXT,
    held_at       INTEGER
  );
  CREATE INDEX uploads_by_video ON uploads (video_no);
  CREATE INDEX uploads_open ON uploads (opened_at) WHERE video_no IS NULL;
  CREATE TABLE totals (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  INSERT INTO totals VALUES ('video_bytes', 0);
  CREATE TRIGGER videos_added AFTER INSERT ON videos
    BEGIN UPDATE totals SET value = value + NEW.bytes WHERE name = 'video_bytes'; END;
  CREATE TRIGGER videos_changed AFTER UPDATE OF bytes ON videos
    BEGIN UPDATE totals SET value = value + NEW.bytes - OLD.bytes WHERE name = 'video_bytes'; END;
  CREATE TRIGGER videos_removed AFTER DELETE ON videos
    BEGIN
      UPDATE totals SET value = value - OLD.bytes WHERE name = 'video_bytes';
      DELETE FROM uploads WHERE video_no = OLD.video_no;
    END;
  `,
  // A client's list, newest first (listVideos).
  `CREATE INDEX videos_by_owner ON videos (owner_id, upload_time DESC, video_no DESC);`,
  // Where each video lives at MAVI (MAVI_PARTITION); NULL for videos stored before: see storedPartition.
  `ALTER TABLE videos ADD COLUMN mavi_partition TEXT;
   ALTER TABLE uploads ADD COLUMN mavi_partition TEXT;`,
  // The event log (video-events.ts): written in the transaction of the change that makes each event.
  `CREATE TABLE events (
     seq             INTEGER PRIMARY KEY AUTOINCREMENT,
     id              TEXT NOT NULL,
     type            TEXT NOT NULL,
     at              INTEGER NOT NULL,
     video_no        TEXT NOT NULL,
     video_name      TEXT NOT NULL,
     status          TEXT NOT NULL,
     previous_status TEXT,
     owner_id        TEXT NOT NULL
   );
   CREATE INDEX events_by_time ON events (at);`,
  // An event with a known id (a repeated callback's) is added once.
  `CREATE UNIQUE INDEX events_by_id ON events (id);`,
  // What the app gave about each video (status-store.ts appDataText): its owner's names, its passthrough.
  `ALTER TABLE videos ADD COLUMN app TEXT;
   ALTER TABLE uploads ADD COLUMN app TEXT;
   ALTER TABLE events ADD COLUMN app TEXT;`,
];

export interface SqliteStatusStoreOptions {
  /** The folder of the database file (locked and created by sqlite/data-dir-lock.ts); undefined: in memory only. */
  dataDir: string | undefined;
  /** FULL: every commit is on disk (fsync) before it is answered; NORMAL: in the OS, synced at checkpoints. */
  synchronous: SqliteSynchronous;
  /** The accounted size (storedBytes) past which the least recently updated videos are evicted. */
  maxBytes: number;
  maxAgeMs?: number;
  now?: () => number;
}

interface VideoRow {
  video_no: string;
  video_name: string;
  status: string;
  upload_time: number;
  updated_at: number;
  owner_id: string;
  mavi_partition: string | null;
  app: string | null;
}

interface ListParameters {
  /** One owner's videos: from = to = its id. A group's: the ids from its prefix to the prefix's end. */
  from: string;
  to: string;
  afterTime: number;
  afterVideoNo: string;
  liveSince: number;
  status: string | null;
  name: string | null;
  limit: number;
}

interface EventRow {
  seq: number;
  id: string;
  type: string;
  at: number;
  video_no: string;
  video_name: string;
  status: string;
  previous_status: string | null;
  owner_id: string;
  app: string | null;
}

function toEvent(row: EventRow): StoredVideoEvent | undefined {
  if (!isVideoStatus(row.status)) return undefined;
  return {
    cursor: String(row.seq),
    id: row.id,
    type: row.type as VideoEventType,
    at: row.at,
    videoNo: row.video_no,
    videoName: row.video_name,
    status: row.status,
    previousStatus: isVideoStatus(row.previous_status) ? row.previous_status : undefined,
    ownerId: row.owner_id,
    ...parseAppData(row.app),
  };
}

interface UploadRow {
  owner_id: string;
  app: string | null;
  mavi_partition: string | null;
  video_name: string;
  opened_at: number;
  video_no: string | null;
  interrupted: number;
  held_video_no: string | null;
  held_status: string | null;
  held_at: number | null;
}

export function openSqliteStatusStore(options: SqliteStatusStoreOptions): StatusStore {
  const path = options.dataDir === undefined ? IN_MEMORY : join(options.dataDir, DATABASE_FILE);
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const now = options.now ?? Date.now;
  const file = new SqliteFile({
    path,
    what: 'status database',
    synchronous: options.synchronous,
    migrations: MIGRATIONS,
  });
  const { db } = file;
  // SQLite's lower() folds ASCII only: names are compared as every store compares them.
  db.function('fold_name', { deterministic: true }, (name) => foldName(String(name)));

  const table = new VideoTable(prepareStatements(db), { now, maxAgeMs, maxBytes: options.maxBytes });
  const { sql } = table;

  const writes = file;

  // Opening the file is a new process: every upload still open belongs to a process that died.
  writes.runNow(() => table.interruptOpenUploads());

  const sweeper = setInterval(() => {
    writes
      .submit(() => {
        sql.expiredVideos.run(now() - maxAgeMs);
        sql.expiredUploads.run(now() - OPEN_UPLOAD_TTL_MS);
        sql.expiredEvents.run(now() - EVENT_RETENTION_MS);
      })
      .catch(() => undefined); // retried at the next sweep
  }, 60_000).unref();

  const toRecord = (row: VideoRow): VideoRecord | undefined =>
    isVideoStatus(row.status)
      ? {
          videoNo: row.video_no,
          videoName: row.video_name,
          status: row.status,
          uploadTime: row.upload_time,
          updatedAt: row.updated_at,
          ownerId: row.owner_id,
          partition: storedPartition(row.mavi_partition, row.owner_id),
          ...parseAppData(row.app),
        }
      : undefined;

  return {
    openUpload: (uploadId, owner, videoName, passthrough) =>
      writes.submit(() => {
        const app = appDataText({ names: owner.names, passthrough });
        sql.openUpload.run(uploadId, owner.ownerId, owner.partition, videoName, now(), app);
      }),

    completeUpload: (uploadId, record) =>
      writes.submit((): CompletedUpload => {
        const upload = sql.upload.get(uploadId);
        sql.bindUpload.run(
          uploadId,
          record.ownerId,
          record.partition,
          record.videoName,
          upload?.opened_at ?? now(),
          record.videoNo,
          appDataText(record),
        );
        table.saveVideo(record);
        if (!upload?.held_video_no || !isVideoStatus(upload.held_status)) {
          return { record, change: undefined, discardedVideoNo: undefined };
        }
        if (upload.held_video_no !== record.videoNo) {
          return { record, change: undefined, discardedVideoNo: upload.held_video_no };
        }
        const change = table.apply(record.videoNo, upload.held_status, upload.held_at!);
        return { record: toRecord(sql.video.get(record.videoNo)!)!, change, discardedVideoNo: undefined };
      }),

    abandonUpload: (uploadId) =>
      writes.submit(() => {
        sql.abandonUpload.run(uploadId);
      }),

    applyCallback: (uploadId, videoNo, status, receivedAt) =>
      writes.submit((): CallbackOutcome => {
        const upload = sql.upload.get(uploadId);
        if (!upload) return { kind: 'unknown-upload' };
        if (upload.video_no === null) {
          if (upload.interrupted) {
            return table.bindFromCallback(uploadId, upload, videoNo, status, receivedAt);
          }
          // Keep the most advanced status MAVI sent early: a terminal one must not be overwritten.
          const held = upload.held_status;
          if (!held || (upload.held_video_no === videoNo && isVideoStatus(held) && nextStatus(held, status))) {
            sql.hold.run(videoNo, status, receivedAt, uploadId);
          }
          return { kind: 'held' };
        }
        if (upload.video_no !== videoNo) return { kind: 'wrong-video', expectedVideoNo: upload.video_no };
        return { kind: 'applied', change: table.apply(videoNo, status, receivedAt) };
      }),

    applyStatus: (videoNo, status, receivedAt) => writes.submit(() => table.apply(videoNo, status, receivedAt)),

    // The trigger on videos removes the upload binding with the row.
    remove: (videoNo) =>
      writes.submit(() => {
        const row = table.liveVideo(videoNo);
        sql.deleteVideo.run(videoNo);
        if (row) table.emit('video.deleted', row, now());
        return row !== undefined;
      }),

    appendEvent: (id, type, videoNo, at) =>
      writes.submit(() => {
        const row = table.liveVideo(videoNo);
        if (row) table.emit(type, row, at, undefined, id);
      }),

    async eventsAfter(cursor, limit) {
      const rows = writes.read(() => sql.eventsAfter.all(cursor === undefined ? 0 : Number(cursor), limit));
      return rows.flatMap((row) => {
        const event = toEvent(row);
        return event ? [event] : [];
      });
    },

    async eventLogEnd() {
      const row = writes.read(() => sql.lastEvent.get());
      return String(row?.seq ?? 0);
    },

    async get(videoNo) {
      const row = writes.read(() => table.liveVideo(videoNo));
      return row && toRecord(row);
    },

    async listVideos(query) {
      const { owners } = query;
      const statement = 'ownerId' in owners ? sql.listVideos : sql.listGroupVideos;
      const rows = writes.read(() =>
        statement.all({
          ...ownerIdRange(owners),
          // Past the newest possible position when there is no cursor: every video is "before" it.
          afterTime: query.after?.uploadTime ?? Number.MAX_SAFE_INTEGER,
          afterVideoNo: query.after?.videoNo ?? '\u{10FFFF}',
          liveSince: now() - maxAgeMs,
          status: query.status ?? null,
          name: query.nameContains === undefined ? null : foldName(query.nameContains),
          limit: query.limit + 1,
        }),
      );
      const records = rows
        .slice(0, query.limit)
        .map(toRecord)
        .filter((record): record is VideoRecord => record !== undefined);
      const last = rows[query.limit - 1];
      return {
        records,
        next: rows.length > query.limit && last ? { uploadTime: last.upload_time, videoNo: last.video_no } : undefined,
      };
    },

    async pending(limit) {
      const rows = writes.read(() => sql.pending.all(now() - maxAgeMs, limit));
      return rows.map(toRecord).filter((record): record is VideoRecord => record !== undefined);
    },

    isReady: () => file.isHealthy(),

    async close() {
      clearInterval(sweeper);
      await file.close();
    },
  };
}

/** The statements the store runs, prepared once. */
function prepareStatements(db: Database.Database) {
  return {
    video: db.prepare<[string], VideoRow>('SELECT * FROM videos WHERE video_no = ?'),
    upsertVideo: db.prepare(
      `INSERT INTO videos (video_no, video_name, status, upload_time, updated_at, owner_id, mavi_partition, bytes, app)
     VALUES (@videoNo, @videoName, @status, @uploadTime, @updatedAt, @ownerId, @partition, @bytes, @app)
     ON CONFLICT (video_no) DO UPDATE SET video_name = excluded.video_name, status = excluded.status,
       upload_time = excluded.upload_time, updated_at = excluded.updated_at, owner_id = excluded.owner_id,
       mavi_partition = excluded.mavi_partition, bytes = excluded.bytes, app = excluded.app`,
    ),
    setStatus: db.prepare('UPDATE videos SET status = ?, updated_at = ? WHERE video_no = ?'),
    deleteVideo: db.prepare('DELETE FROM videos WHERE video_no = ?'),
    upload: db.prepare<[string], UploadRow>('SELECT * FROM uploads WHERE upload_id = ?'),
    openUpload: db.prepare(
      'INSERT OR REPLACE INTO uploads (upload_id, owner_id, mavi_partition, video_name, opened_at, app) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    bindUpload: db.prepare(
      `INSERT INTO uploads (upload_id, owner_id, mavi_partition, video_name, opened_at, video_no, app)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (upload_id) DO UPDATE SET video_no = excluded.video_no, interrupted = 0,
       held_video_no = NULL, held_status = NULL, held_at = NULL`,
    ),
    hold: db.prepare('UPDATE uploads SET held_video_no = ?, held_status = ?, held_at = ? WHERE upload_id = ?'),
    abandonUpload: db.prepare('DELETE FROM uploads WHERE upload_id = ? AND video_no IS NULL'),
    uploadOfVideo: db.prepare<[string], { upload_id: string }>('SELECT upload_id FROM uploads WHERE video_no = ?'),
    pending: db.prepare<[number, number], VideoRow>(
      `SELECT * FROM videos WHERE status NOT IN ('PARSE', 'FAIL') AND updated_at >= ? ORDER BY updated_at LIMIT ?`,
    ),
    // Row values keep the page's start on the index; the filters are optional (NULL: any).
    listVideos: db.prepare<[ListParameters], VideoRow>(
      `SELECT * FROM videos INDEXED BY videos_by_owner
     WHERE owner_id = @from AND (upload_time, video_no) < (@afterTime, @afterVideoNo) AND updated_at >= @liveSince
       AND (@status IS NULL OR status = @status)
       AND (@name IS NULL OR instr(fold_name(video_name), @name) > 0)
     ORDER BY upload_time DESC, video_no DESC LIMIT @limit`,
    ),
    // A group's videos (an administrator's view): a range of owners on the same index, then sorted.
    listGroupVideos: db.prepare<[ListParameters], VideoRow>(
      `SELECT * FROM videos INDEXED BY videos_by_owner
     WHERE owner_id >= @from AND owner_id < @to
       AND (upload_time, video_no) < (@afterTime, @afterVideoNo) AND updated_at >= @liveSince
       AND (@status IS NULL OR status = @status)
       AND (@name IS NULL OR instr(fold_name(video_name), @name) > 0)
     ORDER BY upload_time DESC, video_no DESC LIMIT @limit`,
    ),
    insertEvent: db.prepare(
      `INSERT OR IGNORE INTO events (id, type, at, video_no, video_name, status, previous_status, owner_id, app)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    eventsAfter: db.prepare<[number, number], EventRow>('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?'),
    lastEvent: db.prepare<[], { seq: number }>('SELECT seq FROM events ORDER BY seq DESC LIMIT 1'),
    expiredEvents: db.prepare('DELETE FROM events WHERE at < ?'),
    totalBytes: db.prepare<[], { value: number }>("SELECT value FROM totals WHERE name = 'video_bytes'"),
    oldestVideos: db.prepare<[number], { video_no: string }>('SELECT video_no FROM videos ORDER BY updated_at LIMIT ?'),
    expiredVideos: db.prepare('DELETE FROM videos WHERE updated_at < ?'),
    expiredUploads: db.prepare('DELETE FROM uploads WHERE video_no IS NULL AND opened_at < ?'),
    interruptOpen: db.prepare('UPDATE uploads SET interrupted = 1 WHERE video_no IS NULL'),
    interruptedHeld: db.prepare<[], { upload_id: string }>(
      'SELECT upload_id FROM uploads WHERE interrupted = 1 AND held_video_no IS NOT NULL',
    ),
  };
}

/** The videos table and the rules every write to it keeps: expiry, the byte bound, transitions. */
class VideoTable {
  constructor(
    readonly sql: ReturnType<typeof prepareStatements>,
    private readonly options: { now: () => number; maxAgeMs: number; maxBytes: number },
  ) {}

  /**
   * Every upload still open is interrupted (its process is gone); one that holds an early final
   * callback is bound with it, since MAVI will not send it again.
   */
  interruptOpenUploads(): void {
    this.sql.interruptOpen.run();
    for (const { upload_id } of this.sql.interruptedHeld.all()) {
      const upload = this.sql.upload.get(upload_id)!;
      if (isVideoStatus(upload.held_status)) {
        this.bindFromCallback(upload_id, upload, upload.held_video_no!, upload.held_status, upload.held_at!);
      }
    }
  }

  isExpired(row: VideoRow): boolean {
    return this.options.now() - row.updated_at > this.options.maxAgeMs;
  }

  liveVideo(videoNo: string): VideoRow | undefined {
    const row = this.sql.video.get(videoNo);
    return row && !this.isExpired(row) ? row : undefined;
  }

  /** Stores a video MAVI registered (the one place a video is added: video.registered). */
  saveVideo(record: VideoRecord): void {
    this.sql.upsertVideo.run({ ...record, bytes: storedBytes(record), app: appDataText(record) });
    this.emit('video.registered', this.sql.video.get(record.videoNo)!, record.updatedAt);
    this.enforceMaxBytes();
  }

  /** Adds an event about the video in `row` to the log, in the caller's transaction. */
  emit(type: VideoEventType, row: VideoRow, at: number, previousStatus?: VideoStatus, id = newEventId()): void {
    this.sql.insertEvent.run(
      id,
      type,
      at,
      row.video_no,
      row.video_name,
      row.status,
      previousStatus ?? null,
      row.owner_id,
      row.app,
    );
  }

  enforceMaxBytes(): void {
    while (this.sql.totalBytes.get()!.value > this.options.maxBytes) {
      const oldest = this.sql.oldestVideos.all(64);
      if (oldest.length === 0) return;
      for (const { video_no } of oldest) {
        this.sql.deleteVideo.run(video_no);
        if (this.sql.totalBytes.get()!.value <= this.options.maxBytes) return;
      }
    }
  }

  apply(videoNo: string, status: VideoStatus, receivedAt: number): StatusChange | undefined {
    const row = this.liveVideo(videoNo);
    if (!row || !isVideoStatus(row.status)) return undefined;
    const next = nextStatus(row.status, status);
    if (next === undefined) return undefined;
    this.sql.setStatus.run(next, receivedAt, videoNo);
    const updated = { ...row, status: next, updated_at: receivedAt };
    for (const type of eventsOfChange(next)) {
      this.emit(type, updated, receivedAt, type === 'video.status_changed' ? row.status : undefined);
    }
    return { videoNo, status: next, receivedAt };
  }

  /**
   * Binds an upload to a video that only a callback named (the upload's answer never
   * arrived). A video already bound to another upload is not this upload's: refused.
   */
  bindFromCallback(
    uploadId: string,
    upload: UploadRow,
    videoNo: string,
    status: VideoStatus,
    at: number,
  ): CallbackOutcome {
    const owner = this.sql.uploadOfVideo.get(videoNo);
    if (owner && owner.upload_id !== uploadId) return { kind: 'wrong-video', expectedVideoNo: '(another upload)' };
    this.sql.bindUpload.run(
      uploadId,
      upload.owner_id,
      upload.mavi_partition,
      upload.video_name,
      upload.opened_at,
      videoNo,
      upload.app,
    );
    if (this.liveVideo(videoNo)) return { kind: 'applied', change: this.apply(videoNo, status, at) };
    this.saveVideo({
      videoNo,
      videoName: upload.video_name,
      status,
      uploadTime: upload.opened_at,
      updatedAt: at,
      ownerId: upload.owner_id,
      partition: storedPartition(upload.mavi_partition, upload.owner_id),
      ...parseAppData(upload.app),
    });
    return { kind: 'applied', change: { videoNo, status, receivedAt: at } };
  }
}
