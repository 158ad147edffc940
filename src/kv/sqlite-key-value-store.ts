/**
 * The key-value records on disk, in DATA_DIR next to the status database (whose
 * lock, taken first, keeps the folder to one gateway). A file of its own, so that
 * the status store's schema and group commit stay its own. Writes are rare
 * (chats and transcripts, rate-limited), so each is its own transaction.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { KeyValueStore } from './key-value-store.js';

const DATABASE_FILE = 'records.sqlite';

export function openSqliteKeyValueStore(
  dataDir: string,
  synchronous: 'full' | 'normal',
  now = Date.now,
): KeyValueStore {
  const path = join(dataDir, DATABASE_FILE);
  let db: Database.Database;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.exec(
      'CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER NOT NULL)',
    );
  } catch (error) {
    throw new Error(`Cannot open ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const sql = {
    get: db.prepare<[string, number], { value: string }>('SELECT value FROM records WHERE key = ? AND expires_at > ?'),
    set: db.prepare('INSERT OR REPLACE INTO records (key, value, expires_at) VALUES (?, ?, ?)'),
    add: db.prepare(
      `INSERT INTO records (key, value, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
       WHERE records.expires_at <= ?`,
    ),
    delete: db.prepare('DELETE FROM records WHERE key = ?'),
    expired: db.prepare('DELETE FROM records WHERE expires_at <= ?'),
  };
  const sweeper = setInterval(() => sql.expired.run(now()), 60_000).unref();

  return {
    get: async (key) => sql.get.get(key, now())?.value,
    set: async (key, value, ttlMs) => {
      sql.set.run(key, value, now() + ttlMs);
    },
    add: async (key, value, ttlMs) => sql.add.run(key, value, now() + ttlMs, now()).changes === 1,
    delete: async (key) => {
      sql.delete.run(key);
    },
    close: async () => {
      clearInterval(sweeper);
      db.close();
    },
  };
}
