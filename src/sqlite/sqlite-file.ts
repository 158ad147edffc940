/**
 * One SQLite database file of the gateway's (the status store's, the key-value
 * store's): opening it with the pragmas every file gets, its versioned
 * migrations, the group commit of its writes, and whether it can be trusted.
 *
 * Writes are group-committed: every write asked for within one turn of the event
 * loop runs, in order, in one transaction (each in a savepoint of its own, so one
 * failing write fails alone), and each caller hears back only after the commit.
 * With `synchronous=FULL` a burst of callbacks then costs one fsync, not one each.
 *
 * Nothing is acknowledged that is not durable:
 *  - SQLite refusing a write (a full disk, an I/O error) is StoreUnavailableError,
 *    which clients get as STORE_UNAVAILABLE;
 *  - a file removed or replaced under the running gateway (rm DATA_DIR/…) would
 *    take every later commit with it: each commit first checks that the path
 *    still names the file that was opened, and refuses for good when it does not;
 *  - `isHealthy()` is false while commits fail (a probe write retries every few
 *    seconds, so the file is healthy again once the disk has room) and once the
 *    file is gone: readiness reports it.
 */
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StoreUnavailableError } from '../errors.js';

export type SqliteSynchronous = 'full' | 'normal';

/** A database that cannot be opened: the message names the path and the reason. */
export class SqliteOpenError extends Error {
  override name = 'SqliteOpenError';
}

/** The path of a database that lives in the process's memory only (STORE=memory): no file, no lock. */
export const IN_MEMORY = ':memory:';

export interface SqliteFileOptions {
  /** The file, or IN_MEMORY. */
  path: string;
  /** What the file is, for messages: "status database", "records database". */
  what: string;
  /** FULL: every commit is on disk (fsync) before it is answered; NORMAL: in the OS, synced at checkpoints. */
  synchronous: SqliteSynchronous;
  /** Migration N brings the file from schema version N to N+1 (PRAGMA user_version). */
  migrations: readonly string[];
}

/** How often a file whose commits fail is probed with a write of its own. */
const PROBE_INTERVAL_MS = 5_000;
/** How long `isHealthy` trusts the last look at the path. */
const HEALTH_RECHECK_MS = 250;
/** The probe writes about a page's worth, so that it needs room as a real write does. */
const PROBE_BYTES = 8 * 1024;

interface QueuedWrite {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class SqliteFile {
  readonly db: Database.Database;
  /** The opened file's identity; undefined in memory, where nothing can remove it. */
  private readonly identity: { dev: number; ino: number } | undefined;
  private queue: QueuedWrite[] = [];
  private flushed: Promise<void> = Promise.resolve();
  private flushing: (() => void) | undefined;
  /** Set once the path no longer names the opened file: refused for good. */
  private replaced = false;
  /** Set while commits fail; a probe clears it. */
  private failing = false;
  private probe: NodeJS.Timeout | undefined;
  /** When the path was last found to name the opened file (performance.now()). */
  private lookedAt = -Infinity;

  constructor(private readonly options: SqliteFileOptions) {
    const { path, what } = options;
    try {
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      this.db.pragma('busy_timeout = 5000');
    } catch (error) {
      throw new SqliteOpenError(`Cannot open the ${what} ${path}: ${describeFailure(error)}`);
    }
    try {
      this.migrate();
      this.db.exec('CREATE TABLE IF NOT EXISTS gateway_probe (id INTEGER PRIMARY KEY, filler BLOB NOT NULL)');
      if (path === IN_MEMORY) {
        this.identity = undefined;
      } else {
        const { dev, ino } = statSync(path);
        this.identity = { dev, ino };
      }
    } catch (error) {
      this.db.close();
      if (error instanceof SqliteOpenError) throw error;
      throw new SqliteOpenError(`Cannot read the ${what} ${path}: ${describeFailure(error)}`);
    }
  }

  /** Runs `run` in the next group commit; resolves with its result once committed. */
  submit<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
      if (this.queue.length === 1) {
        this.flushed = new Promise((done) => {
          this.flushing = done;
        });
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs now, in its own transaction (at open, before anything else can write). */
  runNow(run: () => void): void {
    this.db.transaction(run)();
  }

  /** Reads what is committed; a closed or vanished database is an unavailable store. */
  read<T>(run: () => T): T {
    if (this.replaced || !this.stillThere()) throw this.goneError();
    try {
      return run();
    } catch (error) {
      throw new StoreUnavailableError(`SQLite (${this.options.path}) failed: ${describeFailure(error)}`, {
        cause: error,
      });
    }
  }

  /** Resolves once every write asked for so far has been committed (or failed). */
  drain(): Promise<void> {
    return this.flushed;
  }

  /**
   * True while the file is open, still the one opened, and its commits succeed. Asked on every
   * callback, so the path is looked at again at most every HEALTH_RECHECK_MS (a stat each time was
   * 3 % of a callback burst's CPU); every commit still looks first, so nothing is acknowledged late.
   */
  isHealthy(): boolean {
    if (!this.db.open || this.replaced || this.failing) return false;
    if (performance.now() - this.lookedAt < HEALTH_RECHECK_MS) return true;
    return this.stillThere();
  }

  async close(): Promise<void> {
    clearInterval(this.probe);
    await this.drain();
    this.db.close();
  }

  private migrate(): void {
    const { migrations, path, what } = this.options;
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > migrations.length) {
      throw new SqliteOpenError(
        `The ${what} ${path} has schema version ${version}, newer than this gateway knows (${migrations.length}): it was written by a newer gateway. Run that version, or point DATA_DIR elsewhere.`,
      );
    }
    this.db.transaction(() => {
      for (let next = version; next < migrations.length; next += 1) {
        this.db.exec(migrations[next]!);
        this.db.pragma(`user_version = ${next + 1}`);
      }
    })();
  }

  /** Whether the path still names the file that was opened (not removed, not replaced). */
  private stillThere(): boolean {
    if (this.replaced) return false;
    if (!this.identity) return true;
    try {
      const { dev, ino } = statSync(this.options.path);
      if (dev === this.identity.dev && ino === this.identity.ino) {
        this.lookedAt = performance.now();
        return true;
      }
    } catch {
      // gone
    }
    this.replaced = true;
    return false;
  }

  private goneError(): StoreUnavailableError {
    return new StoreUnavailableError(
      `The ${this.options.what} ${this.options.path} was removed or replaced while the gateway ran: nothing more is acknowledged until it restarts.`,
    );
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    const done = this.flushing;
    if (!this.stillThere()) {
      const gone = this.goneError();
      for (const write of batch) write.reject(gone);
      done?.();
      return;
    }
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    let storageFailed = false;
    try {
      this.db.transaction(() => {
        for (const write of batch) {
          try {
            outcomes.push({ ok: true, value: this.db.transaction(write.run)() });
          } catch (error) {
            // SQLite refusing (disk full, I/O error) is the store being unavailable; anything else is a bug.
            const failure =
              error instanceof Database.SqliteError
                ? new StoreUnavailableError(`SQLite (${this.options.path}) failed: ${describeFailure(error)}`, {
                    cause: error,
                  })
                : error;
            if (isStorageFailure(error)) storageFailed = true;
            outcomes.push({ ok: false, error: failure });
          }
        }
      })();
    } catch (error) {
      this.startFailing();
      const failure = new StoreUnavailableError(
        `SQLite (${this.options.path}) could not commit: ${describeFailure(error)}`,
        { cause: error },
      );
      for (const write of batch) write.reject(failure);
      done?.();
      return;
    }
    if (storageFailed) this.startFailing();
    else this.failing = false;
    batch.forEach((write, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(outcome.error);
    });
    done?.();
  }

  /** Commits fail: not healthy until a probe write (or any commit) succeeds again. */
  private startFailing(): void {
    this.failing = true;
    this.probe ??= setInterval(() => {
      this.submit(() => {
        this.db.prepare('INSERT OR REPLACE INTO gateway_probe (id, filler) VALUES (1, zeroblob(?))').run(PROBE_BYTES);
      }).then(
        () => {
          clearInterval(this.probe);
          this.probe = undefined;
        },
        () => undefined, // still failing: the next probe tries again
      );
    }, PROBE_INTERVAL_MS).unref();
  }
}

/** SQLite failing to store (full, I/O, read-only, corrupt), as opposed to a statement refusing its data. */
function isStorageFailure(error: unknown): boolean {
  return (
    error instanceof Database.SqliteError &&
    /^SQLITE_(FULL|IOERR|READONLY|CORRUPT|CANTOPEN|NOTADB|BUSY|LOCKED)/.test(error.code)
  );
}

/** An error's message with its SQLite or system code, for messages that name what went wrong. */
export function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}
