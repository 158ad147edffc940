/**
 * The delivery queue on Redis, shared by every instance. Each step is one Lua script, so two
 * instances never claim the same delivery, and queueing a batch with its cursor is atomic.
 *
 * Keys, under the configured prefix, per endpoint <e>:
 *  - `webhook:endpoints`           set: the ids of the endpoints made through GraphQL
 *  - `webhook:endpoint:<e>`       hash: cursor, disabledReason, settings (JSON, for a made one),
 *                                 removed (set while and after it is removed: nothing is queued)
 *  - `webhook:due:<e>`            sorted set: pending deliveries by when they are due (a claim
 *                                 moves one to the end of its lease)
 *  - `webhook:queued:<e>`         sorted set: pending deliveries by when they were queued (the backlog's age)
 *  - `webhook:finished:<e>`       sorted set: delivered and failed ones by when they ended (the sweep)
 *  - `webhook:delivery:<e>:<id>`  hash: body, createdAt, attempts, state, history (JSON)
 */
import type { Redis } from 'ioredis';
import { defineScripts } from '../redis/lua-scripts.js';
import { onRedis } from '../redis/store-failure.js';
import type {
  Attempt,
  Delivery,
  DeliveryQueue,
  DeliveryRecord,
  DeliveryState,
  EndpointSettings,
} from './delivery-queue.js';

/** KEYS: endpoint, due, queued. ARGV: the delivery key prefix, now, cursor (empty: unchanged), then eventId, body pairs. */
const ENQUEUE = `
if redis.call('HEXISTS', KEYS[1], 'removed') == 1 then return 0 end
for index = 4, #ARGV - 1, 2 do
  local key = ARGV[1] .. ARGV[index]
  if redis.call('EXISTS', key) == 0 then
    redis.call('HSET', key, 'body', ARGV[index + 1], 'createdAt', ARGV[2], 'attempts', 0, 'state', 'pending', 'history', '[]')
    redis.call('ZADD', KEYS[2], ARGV[2], ARGV[index])
    redis.call('ZADD', KEYS[3], ARGV[2], ARGV[index])
  end
end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'cursor', ARGV[3]) end
return 1`;

/** KEYS: due. ARGV: the delivery key prefix, now, leaseMs, limit. Answers id, body, attempts, createdAt, flattened. */
const CLAIM = `
local found = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[4]))) do
  local delivery = redis.call('HMGET', ARGV[1] .. id, 'body', 'attempts', 'createdAt')
  if delivery[1] then
    redis.call('ZADD', KEYS[1], tonumber(ARGV[2]) + tonumber(ARGV[3]), id)
    table.insert(found, id)
    table.insert(found, delivery[1])
    table.insert(found, delivery[2])
    table.insert(found, delivery[3])
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return found`;

/**
 * KEYS: delivery, due, queued, finished. ARGV: eventId, state, nextAt, the attempt (JSON), the
 * history's bound, now.
 */
const RECORD = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local history = cjson.decode(redis.call('HGET', KEYS[1], 'history') or '[]')
table.insert(history, cjson.decode(ARGV[4]))
while #history > tonumber(ARGV[5]) do table.remove(history, 1) end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'history', cjson.encode(history))
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
if ARGV[2] == 'pending' then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
else
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('ZADD', KEYS[4], ARGV[6], ARGV[1])
end
return 1`;

/** KEYS: finished. ARGV: the delivery key prefix, before, the most to forget. */
const SWEEP = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
  redis.call('DEL', ARGV[1] .. id)
  redis.call('ZREM', KEYS[1], id)
end
return #ids`;

/**
 * KEYS: endpoint, due, queued, finished, endpoints. ARGV: the delivery key prefix, the endpoint's
 * id, the most deliveries to forget, how long the removal's mark stays (ms). Answers 1 while
 * deliveries are left (call again), 0 once the endpoint is gone.
 */
const REMOVE = `
redis.call('HSET', KEYS[1], 'removed', 1)
redis.call('SREM', KEYS[5], ARGV[2])
local left = 0
for _, set in ipairs({ KEYS[2], KEYS[4] }) do
  for _, id in ipairs(redis.call('ZRANGE', set, 0, tonumber(ARGV[3]) - 1)) do
    redis.call('DEL', ARGV[1] .. id)
    redis.call('ZREM', set, id)
  end
  left = left + redis.call('ZCARD', set)
end
if left > 0 then return 1 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
redis.call('HSET', KEYS[1], 'removed', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 0`;

/** KEYS: delivery, due, queued, finished. ARGV: eventId, now. */
const REDELIVER = `
local createdAt = redis.call('HGET', KEYS[1], 'createdAt')
if not createdAt then return 0 end
redis.call('HSET', KEYS[1], 'state', 'pending', 'attempts', 0)
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[3], createdAt, ARGV[1])
return 1`;

const HISTORY_LIMIT = 20;
const SWEEP_BATCH = 1_000;
/** A removed endpoint's mark outlives any instance's view of it (they refresh every few seconds). */
const REMOVED_MARK_MS = 24 * 60 * 60 * 1000;

export function createRedisDeliveryQueue(redis: Redis, prefix: string): DeliveryQueue {
  const scripts = defineScripts(redis, 'maviGatewayWebhook', {
    ENQUEUE: [ENQUEUE, 3],
    CLAIM: [CLAIM, 1],
    RECORD: [RECORD, 4],
    SWEEP: [SWEEP, 1],
    REMOVE: [REMOVE, 5],
    REDELIVER: [REDELIVER, 4],
  });
  const run = (
    name: 'ENQUEUE' | 'CLAIM' | 'RECORD' | 'SWEEP' | 'REMOVE' | 'REDELIVER',
    keys: string[],
    args: (string | number)[],
  ) => onRedis(() => scripts(name, keys, args));
  const key = (kind: string, endpoint: string) => `${prefix}webhook:${kind}:${endpoint}`;
  const deliveryPrefix = (endpoint: string) => `${prefix}webhook:delivery:${endpoint}:`;
  const endpointsKey = `${prefix}webhook:endpoints`;

  /** One delivery as `deliveries` lists it; undefined when it is gone. */
  async function recordOf(endpoint: string, eventId: string): Promise<DeliveryRecord | undefined> {
    const [[body, createdAt, state, history], dueAt] = await onRedis(() =>
      Promise.all([
        redis.hmget(deliveryPrefix(endpoint) + eventId, 'body', 'createdAt', 'state', 'history'),
        redis.zscore(key('due', endpoint), eventId),
      ]),
    );
    if (body === null || body === undefined) return undefined;
    const attempts = JSON.parse(history ?? '[]') as { at: number; status: number | null; error: string | null }[];
    return {
      eventId,
      body,
      state: state as DeliveryState,
      createdAt: Number(createdAt),
      dueAt: state === 'pending' && dueAt !== null ? Number(dueAt) : undefined,
      history: attempts.map((attempt): Attempt => ({
        at: attempt.at,
        status: attempt.status ?? undefined,
        error: attempt.error ?? undefined,
      })),
    };
  }

  return {
    async endpoint(endpoint) {
      const [cursor, disabledReason] = await onRedis(() =>
        redis.hmget(key('endpoint', endpoint), 'cursor', 'disabledReason'),
      );
      return { cursor: cursor ?? undefined, disabledReason: disabledReason ?? undefined };
    },

    async enqueue(endpoint, events, cursor) {
      const pairs = events.flatMap(({ eventId, body }) => [eventId, body]);
      await run(
        'ENQUEUE',
        [key('endpoint', endpoint), key('due', endpoint), key('queued', endpoint)],
        [deliveryPrefix(endpoint), Date.now(), cursor ?? '', ...pairs],
      );
    },

    async claim(endpoint, now, leaseMs, limit) {
      const flat = (await run(
        'CLAIM',
        [key('due', endpoint)],
        [deliveryPrefix(endpoint), now, leaseMs, limit],
      )) as string[];
      const claimed: Delivery[] = [];
      for (let at = 0; at + 3 < flat.length; at += 4) {
        claimed.push({
          endpoint,
          eventId: flat[at]!,
          body: flat[at + 1]!,
          attempts: Number(flat[at + 2]),
          createdAt: Number(flat[at + 3]),
        });
      }
      return claimed;
    },

    async record(delivery, attempt, outcome) {
      const { endpoint, eventId } = delivery;
      await run(
        'RECORD',
        [deliveryPrefix(endpoint) + eventId, key('due', endpoint), key('queued', endpoint), key('finished', endpoint)],
        [
          eventId,
          outcome.state,
          outcome.nextAt ?? attempt.at,
          JSON.stringify({ at: attempt.at, status: attempt.status ?? null, error: attempt.error ?? null }),
          HISTORY_LIMIT,
          attempt.at,
        ],
      );
    },

    async enable(endpoint) {
      const [[, reason]] = (await onRedis(() =>
        redis
          .multi()
          .hget(key('endpoint', endpoint), 'disabledReason')
          .hdel(key('endpoint', endpoint), 'disabledReason')
          .exec(),
      ))! as [[Error | null, string | null]];
      return reason ?? undefined;
    },

    async disable(endpoint, reason) {
      await onRedis(() => redis.hset(key('endpoint', endpoint), 'disabledReason', reason));
    },

    async backlog(endpoint) {
      const [pending, oldest] = await onRedis(() =>
        Promise.all([redis.zcard(key('queued', endpoint)), redis.zrange(key('queued', endpoint), 0, 0, 'WITHSCORES')]),
      );
      return { pending, oldestPendingAt: oldest[1] === undefined ? undefined : Number(oldest[1]) };
    },

    async sweep(endpoint, before) {
      await run('SWEEP', [key('finished', endpoint)], [deliveryPrefix(endpoint), before, SWEEP_BATCH]);
    },

    async saveEndpoint(settings) {
      await onRedis(() =>
        redis
          .multi()
          .hset(key('endpoint', settings.id), 'settings', JSON.stringify(settings))
          .sadd(endpointsKey, settings.id)
          .exec(),
      );
    },

    async savedEndpoints() {
      const ids = (await onRedis(() => redis.smembers(endpointsKey))).sort();
      const found = await onRedis(() =>
        Promise.all(ids.map((id) => redis.hmget(key('endpoint', id), 'settings', 'removed'))),
      );
      return found.flatMap(([settings, removed]) =>
        settings && !removed ? [JSON.parse(settings) as EndpointSettings] : [],
      );
    },

    async removeEndpoint(endpoint) {
      const keys = [
        key('endpoint', endpoint),
        key('due', endpoint),
        key('queued', endpoint),
        key('finished', endpoint),
        endpointsKey,
      ];
      while ((await run('REMOVE', keys, [deliveryPrefix(endpoint), endpoint, SWEEP_BATCH, REMOVED_MARK_MS])) === 1);
    },

    async deliveries(endpoint, limit) {
      const [pending, finished] = await onRedis(() =>
        Promise.all([
          redis.zrevrange(key('queued', endpoint), 0, limit - 1),
          redis.zrevrange(key('finished', endpoint), 0, limit - 1),
        ]),
      );
      const ids = [...new Set([...pending, ...finished])];
      const records = await Promise.all(ids.map((id) => recordOf(endpoint, id)));
      return records
        .filter((record): record is DeliveryRecord => record !== undefined)
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, limit);
    },

    async redeliver(endpoint, eventId, now) {
      const done = await run(
        'REDELIVER',
        [deliveryPrefix(endpoint) + eventId, key('due', endpoint), key('queued', endpoint), key('finished', endpoint)],
        [eventId, now],
      );
      return done === 1 ? recordOf(endpoint, eventId) : undefined;
    },
  };
}
