/**
 * Which instance polls which video: a lease per video (`SET NX PX`), held for
 * one polling interval. Whoever takes it polls that video this round; the others
 * skip it, so N instances make the same number of searchDB calls as one.
 */
import type { Redis } from 'ioredis';

export function createPollLeases(redis: Redis, prefix: string, instanceId: string, leaseMs: number) {
  return async (videoNos: string[]): Promise<string[]> => {
    const pipeline = redis.pipeline();
    for (const videoNo of videoNos) pipeline.set(`${prefix}poll-lease:${videoNo}`, instanceId, 'PX', leaseMs, 'NX');
    const answers = (await pipeline.exec()) ?? [];
    return videoNos.filter((_, index) => answers[index]?.[1] === 'OK');
  };
}
