/**
 * Small records that are not video statuses but must outlive a request: chat
 * conversations and transcription tasks. Every record expires; values are short
 * strings (JSON). Two backends, as for statuses: SQLite (DATA_DIR, or in memory
 * with STORE=memory) and Redis, chosen once in server/backends.ts.
 */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets the value only when the key holds none; true when it did. */
  add(key: string, value: string, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /**
   * The keys that start with `prefix`, at most `limit` (in no promised order). For small sets
   * (jobs under way): on Redis it walks the keyspace with SCAN.
   */
  keys(prefix: string, limit: number): Promise<string[]>;
  close?(): Promise<void>;
}
