/**
 * The key-value records on disk, in DATA_DIR next to the status database. A file
 * of its own (opened, migrated and group-committed by sqlite/sqlite-file.ts), so
 * that the status store's schema and writes stay its own. A failing disk is
 * STORE_UNAVAILABLE here as there, and the expiry sweep, like the status store's,
 * retries at its next round instead of failing the process.
 */
import { join } from 'node:path';
import { IN_MEMORY, SqliteFile, type SqliteSynchronous } from '../sqlite/sqlite-file.js';
import type { KeyValueStore } from './key-value-store.js';

const DATABASE_FILE = 'records.sqlite';

/** Versioned schema: migration N brings the file from version N to N+1. */
const MIGRATIONS = [
  'CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER NOT NULL)',
];

/** The records store, and whether its file can be trusted (readiness). */
export interface SqliteKeyValueStore extends KeyValueStore {
  isHealthy(): boolean;
}

export function openSqliteKeyValueStore(
  /** The folder of the database file; undefined: in memory only. */
  dataDir: string | undefined,
  synchronous: SqliteSynchronous,
  now = Date.now,
  { sweepIntervalMs = 60_000 } = {},
): SqliteKeyValueStore {
  const file = new SqliteFile({
    path: dataDir === undefined ? IN_MEMORY : join(dataDir, DATABASE_FILE),
    what: 'records database',
    synchronous,
    migrations: MIGRATIONS,
  });
  const { db } = file;
  const sql = {
    get: db.prepare<[string, number], { value: string }>('SELECT value FROM records WHERE key = ? AND expires_at > ?'),
    set: db.prepare('INSERT OR REPLACE INTO records (key, value, expires_at) VALUES (?, ?, ?)'),
    add: db.prepare(
      `INSERT INTO records (key, value, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
       WHERE records.expires_at <= ?`,
    ),
    delete: db.prepare('DELETE FROM records WHERE key = ?'),
    keys: db.prepare<[string, string, number, number], { key: string }>(
      'SELECT key FROM records WHERE key >= ? AND key < ? AND expires_at > ? LIMIT ?',
    ),
    expired: db.prepare('DELETE FROM records WHERE expires_at <= ?'),
  };
  const sweeper = setInterval(() => {
    file.submit(() => sql.expired.run(now())).catch(() => undefined); // a full disk: retried at the next sweep
  }, sweepIntervalMs).unref();

  return {
    get: async (key) => file.read(() => sql.get.get(key, now())?.value),
    set: (key, value, ttlMs) =>
      file.submit(() => {
        sql.set.run(key, value, now() + ttlMs);
      }),
    add: (key, value, ttlMs) => file.submit(() => sql.add.run(key, value, now() + ttlMs, now()).changes === 1),
    delete: (key) =>
      file.submit(() => {
        sql.delete.run(key);
      }),
    keys: async (prefix, limit) =>
      file.read(() => sql.keys.all(prefix, `${prefix}\u{10FFFF}`, now(), limit).map(({ key }) => key)),
    isHealthy: () => file.isHealthy(),
    close: async () => {
      clearInterval(sweeper);
      await file.close();
    },
  };
}
