/** The key-value records on Redis (shared by every instance), under `<prefix>record:`. */
import type { Redis } from 'ioredis';
import { StoreUnavailableError } from '../errors.js';
import type { KeyValueStore } from './key-value-store.js';

export function createRedisKeyValueStore(redis: Redis, prefix: string): KeyValueStore {
  const key = (name: string) => `${prefix}record:${name}`;
  const guarded = async <Result>(operation: () => Promise<Result>): Promise<Result> => {
    try {
      return await operation();
    } catch (error) {
      throw new StoreUnavailableError(`Redis failed: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  };
  return {
    get: (name) => guarded(async () => (await redis.get(key(name))) ?? undefined),
    set: (name, value, ttlMs) =>
      guarded(async () => {
        await redis.set(key(name), value, 'PX', ttlMs);
      }),
    add: (name, value, ttlMs) => guarded(async () => (await redis.set(key(name), value, 'PX', ttlMs, 'NX')) === 'OK'),
    delete: (name) =>
      guarded(async () => {
        await redis.del(key(name));
      }),
  };
}
