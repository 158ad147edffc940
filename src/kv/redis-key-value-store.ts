/** The key-value records on Redis (shared by every instance), under `<prefix>record:`. */
import type { Redis } from 'ioredis';
import { onRedis } from '../redis/store-failure.js';
import type { KeyValueStore } from './key-value-store.js';

export function createRedisKeyValueStore(redis: Redis, prefix: string): KeyValueStore {
  const key = (name: string) => `${prefix}record:${name}`;
  return {
    get: (name) => onRedis(async () => (await redis.get(key(name))) ?? undefined),
    set: (name, value, ttlMs) =>
      onRedis(async () => {
        await redis.set(key(name), value, 'PX', ttlMs);
      }),
    add: (name, value, ttlMs) => onRedis(async () => (await redis.set(key(name), value, 'PX', ttlMs, 'NX')) === 'OK'),
    delete: (name) =>
      onRedis(async () => {
        await redis.del(key(name));
      }),
  };
}
