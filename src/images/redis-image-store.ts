/**
 * The image records on Redis, shared by every instance: each image a string key
 * (`<prefix>image:<id>`, its JSON), each owner's list a sorted set whose members sort as the
 * list does, newest first (`<prefix>images:<ownerId>`, members `<uploadedAt, 15 digits>:<id>`
 * at one score, read backwards by lexical range).
 */
import type { Redis } from 'ioredis';
import { onRedis } from '../redis/store-failure.js';
import { pageOf, type ImagePosition, type ImageRecord, type ImageStore } from './image-store.js';

export function createRedisImageStore(redis: Redis, prefix: string): ImageStore {
  const imageKey = (imageId: string) => `${prefix}image:${imageId}`;
  const listKey = (ownerId: string) => `${prefix}images:${ownerId}`;
  const member = (position: ImagePosition) => `${String(position.uploadedAt).padStart(15, '0')}:${position.imageId}`;
  const read = (text: string | null) => (text === null ? undefined : (JSON.parse(text) as ImageRecord));

  return {
    add: (record) =>
      onRedis(async () => {
        await redis
          .multi()
          .set(imageKey(record.imageId), JSON.stringify(record))
          .zadd(listKey(record.ownerId), 0, member(record))
          .exec();
      }),
    get: (imageId) => onRedis(async () => read(await redis.get(imageKey(imageId)))),
    list: (ownerId, limit, after) =>
      onRedis(async () => {
        const from = after === undefined ? '+' : `(${member(after)}`;
        const members = await redis.zrevrangebylex(listKey(ownerId), from, '-', 'LIMIT', 0, limit + 1);
        const imageIds = members.map((entry) => entry.slice(entry.indexOf(':') + 1));
        const texts = imageIds.length === 0 ? [] : await redis.mget(imageIds.map(imageKey));
        return pageOf(
          texts.flatMap((text) => read(text) ?? []),
          limit,
        );
      }),
    remove: (imageIds) =>
      onRedis(async () => {
        const removed: string[] = [];
        for (const imageId of imageIds) {
          const record = read(await redis.get(imageKey(imageId)));
          if (!record) continue;
          const [[, deleted] = []] =
            (await redis.multi().del(imageKey(imageId)).zrem(listKey(record.ownerId), member(record)).exec()) ?? [];
          if (deleted === 1) removed.push(imageId);
        }
        return removed;
      }),
  };
}
