/**
 * Small records that are not video statuses but must outlive a request: chat
 * conversations and transcription tasks. Every record expires; values are short
 * strings (JSON). Three backends, as for statuses: memory, SQLite (DATA_DIR) and
 * Redis, chosen once in server/backends.ts.
 */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets the value only when the key holds none; true when it did. */
  add(key: string, value: string, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  close?(): Promise<void>;
}

/**
 * In memory, bounded: past `maxBytes` (keys and values, as UTF-16 lengths) the
 * oldest written entries go first; expired entries are swept every minute.
 */
export function createMemoryKeyValueStore(maxBytes = 32 * 1024 * 1024, now = Date.now): KeyValueStore {
  const entries = new Map<string, { value: string; expiresAt: number }>();
  let bytes = 0;
  const sizeOf = (key: string, value: string) => (key.length + value.length) * 2;

  const remove = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= sizeOf(key, entry.value);
  };
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      remove(key);
      return undefined;
    }
    return entry;
  };
  const write = (key: string, value: string, ttlMs: number) => {
    remove(key);
    entries.set(key, { value, expiresAt: now() + ttlMs });
    bytes += sizeOf(key, value);
    while (bytes > maxBytes && entries.size > 0) remove(entries.keys().next().value!);
  };
  const sweeper = setInterval(() => {
    for (const key of entries.keys()) live(key);
  }, 60_000).unref();

  return {
    get: async (key) => live(key)?.value,
    set: async (key, value, ttlMs) => write(key, value, ttlMs),
    add: async (key, value, ttlMs) => {
      if (live(key)) return false;
      write(key, value, ttlMs);
      return true;
    },
    delete: async (key) => remove(key),
    close: async () => clearInterval(sweeper),
  };
}
