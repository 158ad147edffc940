/**
 * The staging ledger shared by every instance, on Redis. Each record is a JSON
 * string; what the bounds and the job queue need is kept beside it and changed
 * with it in one Lua script, so that two instances admitting, finishing or
 * claiming at once cannot count wrong or claim one job twice:
 *  - `staged-owner:<ownerId>`: the ids of an owner's staged uploads (a set);
 *  - `staged-owner-bytes:<ownerId>`, `staged-bytes`: their declared bytes, and everyone's;
 *  - `staged-due`: FORWARDING jobs by dueAt (a sorted set: a claim moves the score to the lease's end);
 *  - `staged-expiry`: RECEIVING uploads by expiresAt.
 * A REGISTERED or FAILED record carries a TTL and goes by itself.
 */
import type { Redis } from 'ioredis';
import { onRedis } from '../redis/store-failure.js';
import type { BrokenBound, StagedUpload, StagingLedger } from './staged-upload.js';
import { isStaged, luaStateTable } from './transitions.js';

/** KEYS: record, owner set, owner bytes, total bytes, expiry zset. ARGV: json, id, length, max uploads, max owner bytes, max bytes, expiresAt. */
const ADMIT = `
if redis.call('SCARD', KEYS[2]) + 1 > tonumber(ARGV[4]) then return 'uploads-per-owner' end
local length = tonumber(ARGV[3])
if tonumber(redis.call('GET', KEYS[3]) or '0') + length > tonumber(ARGV[5]) then return 'bytes-per-owner' end
if tonumber(redis.call('GET', KEYS[4]) or '0') + length > tonumber(ARGV[6]) then return 'bytes' end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('INCRBY', KEYS[3], length)
redis.call('INCRBY', KEYS[4], length)
redis.call('ZADD', KEYS[5], ARGV[7], ARGV[2])
return false
`;

/**
 * Writes a record and its indexes; a record that leaves the staged states gives its bytes back (once).
 * KEYS: record, owner set, owner bytes, total bytes, due zset, expiry zset.
 * ARGV: json, id, length, state, dueAt, expiresAt, ttlMs (0: none), remove (1: delete the record instead).
 */
const PUT = `
${luaStateTable()}
local state = STATE[ARGV[4]]
if not state.staged and redis.call('SREM', KEYS[2], ARGV[2]) == 1 then
  redis.call('DECRBY', KEYS[3], ARGV[3])
  redis.call('DECRBY', KEYS[4], ARGV[3])
end
if state.queued then redis.call('ZADD', KEYS[5], ARGV[5], ARGV[2]) else redis.call('ZREM', KEYS[5], ARGV[2]) end
if state.expires then redis.call('ZADD', KEYS[6], ARGV[6], ARGV[2]) else redis.call('ZREM', KEYS[6], ARGV[2]) end
if ARGV[8] == '1' then
  redis.call('DEL', KEYS[1])
elseif tonumber(ARGV[7]) > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[7])
else
  redis.call('SET', KEYS[1], ARGV[1])
end
return 1
`;

/** KEYS: due zset. ARGV: now, leaseUntil, record key prefix. The job due first, its score moved to the lease's end. */
const CLAIM = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #ids == 0 then return false end
local json = redis.call('GET', ARGV[3] .. ids[1])
if not json then
  redis.call('ZREM', KEYS[1], ids[1])
  return false
end
redis.call('ZADD', KEYS[1], ARGV[2], ids[1])
return json
`;

/**
 * Replaces a record only if it is still exactly `expected` (compare and set), keeping its state
 * and its lease (the due zset is not touched); a RECEIVING upload's expiry moves with it.
 * KEYS: record, expiry zset. ARGV: expected json, new json, id, state, expiresAt.
 */
const UPDATE_IF = `
${luaStateTable()}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
if STATE[ARGV[4]].expires then redis.call('ZADD', KEYS[2], ARGV[5], ARGV[3]) end
return 1
`;
/** Compare-and-set rounds before an update gives up (each lost round means another writer won). */
const UPDATE_ROUNDS = 5;

/** KEYS: due zset. ARGV: id, leaseUntil. Only a job still queued (FORWARDING) gets a longer lease. */
const EXTEND = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) end
return 1
`;

export function createRedisStagingLedger(redis: Redis, prefix: string): StagingLedger {
  const recordPrefix = `${prefix}staged:`;
  const keys = {
    record: (id: string) => `${recordPrefix}${id}`,
    owner: (ownerId: string) => `${prefix}staged-owner:${ownerId}`,
    ownerBytes: (ownerId: string) => `${prefix}staged-owner-bytes:${ownerId}`,
    bytes: `${prefix}staged-bytes`,
    due: `${prefix}staged-due`,
    expiry: `${prefix}staged-expiry`,
  };
  const parse = (json: string | null): StagedUpload | undefined =>
    json === null ? undefined : (JSON.parse(json) as StagedUpload);
  const byIds = async (ids: string[]) => {
    if (ids.length === 0) return [];
    const records = await redis.mget(ids.map(keys.record));
    return records.flatMap((json) => parse(json) ?? []);
  };
  const write = (upload: StagedUpload, remove: boolean) =>
    onRedis(async () => {
      const ttlMs = isStaged(upload.state) ? 0 : Math.max(1, upload.expiresAt - Date.now());
      await redis.eval(
        PUT,
        6,
        keys.record(upload.id),
        keys.owner(upload.ownerId),
        keys.ownerBytes(upload.ownerId),
        keys.bytes,
        keys.due,
        keys.expiry,
        JSON.stringify(upload),
        upload.id,
        upload.length,
        remove ? 'REMOVED' : upload.state,
        upload.dueAt,
        upload.expiresAt,
        ttlMs,
        remove ? '1' : '0',
      );
    });

  return {
    admit: (upload, bounds) =>
      onRedis(async () => {
        const broken = (await redis.eval(
          ADMIT,
          5,
          keys.record(upload.id),
          keys.owner(upload.ownerId),
          keys.ownerBytes(upload.ownerId),
          keys.bytes,
          keys.expiry,
          JSON.stringify(upload),
          upload.id,
          upload.length,
          bounds.maxUploadsPerOwner,
          bounds.maxBytesPerOwner,
          bounds.maxBytes,
          upload.expiresAt,
        )) as BrokenBound | null;
        return broken ?? undefined;
      }),
    get: (id) => onRedis(async () => parse(await redis.get(keys.record(id)))),
    put: (upload) => write(upload, false),
    update: (id, state, change) =>
      onRedis(async () => {
        for (let round = 0; round < UPDATE_ROUNDS; round += 1) {
          const json = await redis.get(keys.record(id));
          const current = parse(json);
          if (current?.state !== state) return undefined;
          const changed = { ...change(current), state, dueAt: current.dueAt };
          const set = await redis.eval(
            UPDATE_IF,
            2,
            keys.record(id),
            keys.expiry,
            json!,
            JSON.stringify(changed),
            id,
            state,
            changed.expiresAt,
          );
          if (set === 1) return changed;
        }
        return undefined;
      }),
    claimDue: (now, leaseUntil) =>
      onRedis(async () => {
        const json = (await redis.eval(CLAIM, 1, keys.due, now, leaseUntil, recordPrefix)) as string | null;
        const claimed = parse(json);
        return claimed && { ...claimed, dueAt: leaseUntil };
      }),
    extendLease: (id, leaseUntil) =>
      onRedis(async () => {
        await redis.eval(EXTEND, 1, keys.due, id, leaseUntil);
      }),
    expired: (now, limit) =>
      onRedis(async () => byIds(await redis.zrangebyscore(keys.expiry, '-inf', now, 'LIMIT', 0, limit))),
    receiving: (limit) => onRedis(async () => byIds(await redis.zrange(keys.expiry, 0, limit - 1))),
    staged: (ownerId, limit) => onRedis(async () => byIds((await redis.smembers(keys.owner(ownerId))).slice(0, limit))),
    // Finished records carry a TTL: Redis forgets them by itself.
    forgetFinished: async () => undefined,
    remove: (id) =>
      onRedis(async () => {
        const current = parse(await redis.get(keys.record(id)));
        if (current) await write(current, true);
      }),
  };
}
