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
    keys: (namePrefix, limit) =>
      onRedis(async () => {
        const found = new Set<string>();
        const pattern = `${key(namePrefix).replace(/[*?[\]\\]/g, '\\$&')}*`;
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = next;
          for (const stored of keys) found.add(stored.slice(key('').length));
        } while (cursor !== '0' && found.size < limit);
        return [...found].slice(0, limit);
      }),
  };
}
