/**
 * The staging ledger of one instance: a SQLite file of its own in DATA_DIR
 * (staging.sqlite), beside the staged bytes (DATA_DIR/staging/). Its writes are
 * group-committed and synced like the status store's (sqlite/sqlite-file.ts):
 * a state change is acknowledged only once it is on disk.
 *
 * DATA_DIR is locked to one process (sqlite/data-dir-lock.ts), so at open every
 * lease is stale (its process is gone): the jobs they held are due at once.
 */
import { join } from 'node:path';
import { IN_MEMORY, SqliteFile, type SqliteSynchronous } from '../sqlite/sqlite-file.js';
import { type BrokenBound, type StagedUpload, type StagingLedger } from './staged-upload.js';

const DATABASE_FILE = 'staging.sqlite';

const MIGRATIONS = [
  `CREATE TABLE staged_uploads (
     id TEXT PRIMARY KEY,
     owner_id TEXT NOT NULL,
     state TEXT NOT NULL,
     length INTEGER NOT NULL,
     due_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     record TEXT NOT NULL
   );
   CREATE INDEX staged_uploads_owner ON staged_uploads (owner_id, state);
   CREATE INDEX staged_uploads_due ON staged_uploads (state, due_at);
   CREATE INDEX staged_uploads_expiry ON staged_uploads (state, expires_at);`,
];

const STAGED = `state IN ('RECEIVING', 'FORWARDING')`;

interface Row {
  record: string;
}

export function openSqliteStagingLedger(dataDir: string | undefined, synchronous: SqliteSynchronous): StagingLedger {
  const file = new SqliteFile({
    path: dataDir === undefined ? IN_MEMORY : join(dataDir, DATABASE_FILE),
    what: 'staging database',
    synchronous,
    migrations: MIGRATIONS,
  });
  const { db } = file;
  const sql = {
    ownerTotals: db.prepare<[string], { uploads: number; bytes: number }>(
      `SELECT count(*) AS uploads, coalesce(sum(length), 0) AS bytes FROM staged_uploads WHERE owner_id = ? AND ${STAGED}`,
    ),
    totalBytes: db.prepare<[], { bytes: number }>(
      `SELECT coalesce(sum(length), 0) AS bytes FROM staged_uploads WHERE ${STAGED}`,
    ),
    insert: db.prepare(
      'INSERT INTO staged_uploads (id, owner_id, state, length, due_at, expires_at, record) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    update: db.prepare('UPDATE staged_uploads SET state = ?, due_at = ?, expires_at = ?, record = ? WHERE id = ?'),
    get: db.prepare<[string], Row>('SELECT record FROM staged_uploads WHERE id = ?'),
    due: db.prepare<[number], Row>(
      `SELECT record FROM staged_uploads WHERE state = 'FORWARDING' AND due_at <= ? ORDER BY due_at LIMIT 1`,
    ),
    lease: db.prepare(`UPDATE staged_uploads SET due_at = ? WHERE id = ? AND state = 'FORWARDING'`),
    expired: db.prepare<[number, number], Row>(
      `SELECT record FROM staged_uploads WHERE state = 'RECEIVING' AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
    ),
    receiving: db.prepare<[number], Row>(
      `SELECT record FROM staged_uploads WHERE state = 'RECEIVING' ORDER BY rowid LIMIT ?`,
    ),
    staged: db.prepare<[string, number], Row>(
      `SELECT record FROM staged_uploads WHERE owner_id = ? AND ${STAGED} ORDER BY rowid LIMIT ?`,
    ),
    forget: db.prepare(`DELETE FROM staged_uploads WHERE NOT ${STAGED} AND expires_at <= ?`),
    remove: db.prepare('DELETE FROM staged_uploads WHERE id = ?'),
    releaseLeases: db.prepare(`UPDATE staged_uploads SET due_at = 0 WHERE state = 'FORWARDING' AND due_at > ?`),
  };
  const parse = (row: Row | undefined): StagedUpload | undefined =>
    row === undefined ? undefined : (JSON.parse(row.record) as StagedUpload);
  const withDue = (upload: StagedUpload, dueAt: number): StagedUpload => ({ ...upload, dueAt });

  // This process holds DATA_DIR alone: a lease still running was its predecessor's.
  file.runNow(() => sql.releaseLeases.run(Date.now()));

  return {
    admit: (upload, bounds) =>
      file.submit((): BrokenBound | undefined => {
        const owner = sql.ownerTotals.get(upload.ownerId)!;
        if (owner.uploads + 1 > bounds.maxUploadsPerOwner) return 'uploads-per-owner';
        if (owner.bytes + upload.length > bounds.maxBytesPerOwner) return 'bytes-per-owner';
        if (sql.totalBytes.get()!.bytes + upload.length > bounds.maxBytes) return 'bytes';
        sql.insert.run(
          upload.id,
          upload.ownerId,
          upload.state,
          upload.length,
          upload.dueAt,
          upload.expiresAt,
          JSON.stringify(upload),
        );
        return undefined;
      }),
    get: async (id) => file.read(() => parse(sql.get.get(id))),
    put: (upload) =>
      file.submit(() => {
        sql.update.run(upload.state, upload.dueAt, upload.expiresAt, JSON.stringify(upload), upload.id);
      }),
    update: (id, state, change) =>
      file.submit(() => {
        const current = parse(sql.get.get(id));
        if (current?.state !== state) return undefined;
        const changed = { ...change(current), state, dueAt: current.dueAt };
        sql.update.run(changed.state, changed.dueAt, changed.expiresAt, JSON.stringify(changed), id);
        return changed;
      }),
    claimDue: (now, leaseUntil) =>
      file.submit(() => {
        const due = parse(sql.due.get(now));
        if (due === undefined) return undefined;
        const claimed = withDue(due, leaseUntil);
        sql.update.run(claimed.state, claimed.dueAt, claimed.expiresAt, JSON.stringify(claimed), claimed.id);
        return claimed;
      }),
    extendLease: (id, leaseUntil) =>
      file.submit(() => {
        const current = parse(sql.get.get(id));
        if (current?.state !== 'FORWARDING') return;
        sql.update.run(current.state, leaseUntil, current.expiresAt, JSON.stringify(withDue(current, leaseUntil)), id);
      }),
    expired: async (now, limit) => file.read(() => sql.expired.all(now, limit).map((row) => parse(row)!)),
    receiving: async (limit) => file.read(() => sql.receiving.all(limit).map((row) => parse(row)!)),
    staged: async (ownerId, limit) => file.read(() => sql.staged.all(ownerId, limit).map((row) => parse(row)!)),
    forgetFinished: (now) =>
      file.submit(() => {
        sql.forget.run(now);
      }),
    remove: (id) =>
      file.submit(() => {
        sql.remove.run(id);
      }),
    close: () => file.close(),
  };
}
