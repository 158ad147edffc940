/**
 * One gateway per DATA_DIR: a second one would take the first one's open uploads
 * for interrupted ones, and the callbacks it applied would never reach the first
 * one's subscribers.
 *
 * The lock is SQLite's own: an exclusive transaction on `gateway.lock`, kept open
 * for the life of the process. SQLite takes it as a POSIX record lock, which the
 * kernel holds for the process and drops when the process ends, however it ends
 * (a crash, kill -9). No process id is written or compared, so nothing fools it:
 * not two containers that are both PID 1 on one volume, not a lock file left
 * behind, not a process that does not hold it (only the holder's own connection
 * can end its transaction). A file left by any earlier gateway is simply reused.
 */
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describeFailure, SqliteOpenError } from './sqlite-file.js';

const LOCK_FILE = 'gateway.lock';

/** Makes this process the one gateway using `dataDir` (creating the folder when missing); answers the release. */
export function lockDataDir(dataDir: string): () => void {
  const lockPath = join(dataDir, LOCK_FILE);
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw new SqliteOpenError(`DATA_DIR ${dataDir} cannot be created: ${describeFailure(error)}`);
  }
  try {
    accessSync(dataDir, constants.W_OK);
  } catch (error) {
    // Said before SQLite says it its own way (SQLITE_CANTOPEN).
    throw new SqliteOpenError(
      `DATA_DIR ${dataDir} is not writable by this process (${(error as NodeJS.ErrnoException).code ?? 'EACCES'}): give it write access, or set DATA_DIR to a folder that is`,
    );
  }
  for (let attempt = 0; ; attempt += 1) {
    let lock: Database.Database | undefined;
    try {
      lock = new Database(lockPath, { timeout: 0 });
      lock.pragma('locking_mode = EXCLUSIVE');
      lock.exec('BEGIN EXCLUSIVE');
      const held = lock;
      return () => held.close(); // ends the transaction: the kernel drops the lock
    } catch (error) {
      lock?.close();
      const code = (error as { code?: unknown }).code;
      if (code === 'SQLITE_BUSY') {
        throw new SqliteOpenError(
          `DATA_DIR ${dataDir} is in use by another gateway: each instance needs a DATA_DIR of its own.`,
        );
      }
      // The process-id file of an older gateway (not a database): emptied, it is one again.
      if (code === 'SQLITE_NOTADB' && attempt === 0) {
        writeFileSync(lockPath, '');
        continue;
      }
      throw new SqliteOpenError(`Cannot lock DATA_DIR ${dataDir} (${lockPath}): ${describeFailure(error)}`);
    }
  }
}
