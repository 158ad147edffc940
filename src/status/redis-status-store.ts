/**
 * The status store on Redis, for several instances. Each change is one Lua
 * script, so two instances handling callbacks for the same video at the same
 * moment still see "terminal sticks" and "one event per change".
 *
 * Keys, under the configured prefix:
 *  - `video:<videoNo>`  hash: the record (+ its uploadId); TTL = maxAgeMs, renewed on change
 *  - `upload:<uploadId>` hash: ownerId, and videoNo once bound, or a held early callback;
 *                       TTL 24 h while open, then as the video
 *  - `pending`          sorted set: videoNos not yet final, by updatedAt (what polling reads)
 *  - `owner:<ownerId>`  sorted set: a client's videoNos by uploadTime (its list); members
 *                       whose video expired are dropped when a list meets them
 */
import { StoreUnavailableError } from '../errors.js';
import type { Redis } from 'ioredis';
import { isVideoStatus, type VideoStatus } from '../mavi/types.js';
import {
  matchesFilters,
  DEFAULT_MAX_AGE_MS,
  OPEN_UPLOAD_TTL_MS,
  type CallbackOutcome,
  type CompletedUpload,
  type StatusChange,
  type StatusStore,
  type VideoRecord,
} from './status-store.js';
import { luaTransitionTable } from './transitions.js';

const APPLY = `
${luaTransitionTable()}
local function apply(videoKey, pendingKey, videoNo, status, at, ttl)
  local current = redis.call('HGET', videoKey, 'status')
  if not current then return false end
  local nxt = NEXT[current] and NEXT[current][status]
  if not nxt then return false end
  redis.call('HSET', videoKey, 'status', nxt, 'updatedAt', at)
  redis.call('PEXPIRE', videoKey, ttl)
  if TERMINAL[nxt] then redis.call('ZREM', pendingKey, videoNo) else redis.call('ZADD', pendingKey, at, videoNo) end
  return nxt
end
`;

/** KEYS: video, pending. ARGV: videoNo, status, at, ttl. Returns the new status or nil. */
const APPLY_STATUS = `${APPLY}
return apply(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4])`;

/** KEYS: upload, video, pending. ARGV: videoNo, status, at, ttl. */
const APPLY_CALLBACK = `${APPLY}
if redis.call('EXISTS', KEYS[1]) == 0 then return {'unknown-upload'} end
local bound = redis.call('HGET', KEYS[1], 'videoNo')
if not bound then
  local heldVideo = redis.call('HGET', KEYS[1], 'heldVideoNo')
  local heldStatus = redis.call('HGET', KEYS[1], 'heldStatus')
  -- Keep the most advanced status MAVI sent early: a terminal one must not be overwritten.
  if (not heldVideo) or (heldVideo == ARGV[1] and NEXT[heldStatus] and NEXT[heldStatus][ARGV[2]]) then
    redis.call('HSET', KEYS[1], 'heldVideoNo', ARGV[1], 'heldStatus', ARGV[2], 'heldAt', ARGV[3])
  end
  return {'held'}
end
if bound ~= ARGV[1] then return {'wrong-video', bound} end
local nxt = apply(KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
if nxt then return {'applied', nxt} end
return {'applied'}`;

/** KEYS: upload, video, pending, owner. ARGV: videoNo, videoName, status, uploadTime, updatedAt, ownerId, uploadId, ttl. */
const COMPLETE_UPLOAD = `${APPLY}
local held = redis.call('HMGET', KEYS[1], 'heldVideoNo', 'heldStatus', 'heldAt')
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'videoNo', ARGV[1], 'ownerId', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[8])
redis.call('HSET', KEYS[2], 'videoNo', ARGV[1], 'videoName', ARGV[2], 'status', ARGV[3], 'uploadTime', ARGV[4],
  'updatedAt', ARGV[5], 'ownerId', ARGV[6], 'uploadId', ARGV[7])
redis.call('PEXPIRE', KEYS[2], ARGV[8])
if TERMINAL[ARGV[3]] then redis.call('ZREM', KEYS[3], ARGV[1]) else redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1]) end
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
redis.call('PEXPIRE', KEYS[4], ARGV[8])
if not held[1] then return {} end
if held[1] ~= ARGV[1] then return {'discarded', held[1]} end
local nxt = apply(KEYS[2], KEYS[3], ARGV[1], held[2], held[3], ARGV[8])
if nxt then return {'changed', nxt, held[3]} end
return {}`;

/**
 * KEYS: video, pending. ARGV: videoNo, the key prefix. Forgets a video, its upload
 * binding and its place in its owner's list; 1 when it was known. (The upload and
 * owner keys are built here from the record: the gateway uses one Redis, not a cluster.)
 */
const REMOVE_VIDEO = `
local fields = redis.call('HMGET', KEYS[1], 'uploadId', 'ownerId')
local known = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if fields[1] then redis.call('DEL', ARGV[2] .. 'upload:' .. fields[1]) end
if fields[2] then redis.call('ZREM', ARGV[2] .. 'owner:' .. fields[2], ARGV[1]) end
return known`;

/**
 * How many list entries one listVideos reads at most in one round (the first round
 * reads one page and one more; a filter that drops entries doubles it), and at
 * most in all (a page may then end early, with a cursor).
 */
const LIST_MAX_BATCH = 1_000;
const LIST_MAX_SCANNED = 5_000;

/** KEYS: upload. Forgets an upload that was never bound to a video. */
const ABANDON_UPLOAD = `
if redis.call('HEXISTS', KEYS[1], 'videoNo') == 0 then redis.call('DEL', KEYS[1]) end
return 1`;

export interface RedisStatusStoreOptions {
  redis: Redis;
  /** Key prefix, e.g. "mavi-gateway:", so that deployments can share one Redis. */
  prefix: string;
  maxAgeMs?: number;
}

export function createRedisStatusStore(options: RedisStatusStoreOptions): StatusStore {
  const { redis, prefix } = options;
  const ttl = String(options.maxAgeMs ?? DEFAULT_MAX_AGE_MS);
  const videoKey = (videoNo: string) => `${prefix}video:${videoNo}`;
  const uploadKey = (uploadId: string) => `${prefix}upload:${uploadId}`;
  const pendingKey = `${prefix}pending`;
  const ownerKey = (ownerId: string) => `${prefix}owner:${ownerId}`;

  const run = (script: string, keys: string[], args: (string | number)[]) =>
    redis.eval(script, keys.length, ...keys, ...args.map(String)) as Promise<unknown>;

  /** Redis failures become StoreUnavailableError: callers answer 503 / STORE_UNAVAILABLE. */
  const guarded =
    <Args extends unknown[], Result>(operation: (...args: Args) => Promise<Result>) =>
    async (...args: Args): Promise<Result> => {
      try {
        return await operation(...args);
      } catch (error) {
        throw new StoreUnavailableError(`Redis failed: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      }
    };

  const toRecord = (fields: Record<string, string>): VideoRecord | undefined => {
    if (!fields.videoNo || !isVideoStatus(fields.status)) return undefined;
    return {
      videoNo: fields.videoNo,
      videoName: fields.videoName ?? '',
      status: fields.status,
      uploadTime: Number(fields.uploadTime),
      updatedAt: Number(fields.updatedAt),
      ownerId: fields.ownerId ?? '',
    };
  };

  const store: StatusStore = {
    async openUpload(uploadId, ownerId, videoName) {
      await redis
        .multi()
        .hset(uploadKey(uploadId), 'ownerId', ownerId, 'videoName', videoName, 'openedAt', String(Date.now()))
        .pexpire(uploadKey(uploadId), OPEN_UPLOAD_TTL_MS)
        .exec();
    },

    async completeUpload(uploadId, record): Promise<CompletedUpload> {
      const result = (await run(
        COMPLETE_UPLOAD,
        [uploadKey(uploadId), videoKey(record.videoNo), pendingKey, ownerKey(record.ownerId)],
        [
          record.videoNo,
          record.videoName,
          record.status,
          record.uploadTime,
          record.updatedAt,
          record.ownerId,
          uploadId,
          ttl,
        ],
      )) as string[];
      if (result[0] === 'discarded') return { record, change: undefined, discardedVideoNo: result[1] };
      if (result[0] === 'changed') {
        const change: StatusChange = {
          videoNo: record.videoNo,
          status: result[1] as VideoStatus,
          receivedAt: Number(result[2]),
        };
        return {
          record: { ...record, status: change.status, updatedAt: change.receivedAt },
          change,
          discardedVideoNo: undefined,
        };
      }
      return { record, change: undefined, discardedVideoNo: undefined };
    },

    async abandonUpload(uploadId) {
      await run(ABANDON_UPLOAD, [uploadKey(uploadId)], []);
    },

    async applyCallback(uploadId, videoNo, status, receivedAt): Promise<CallbackOutcome> {
      const [kind, detail] = (await run(
        APPLY_CALLBACK,
        [uploadKey(uploadId), videoKey(videoNo), pendingKey],
        [videoNo, status, receivedAt, ttl],
      )) as [string, string | undefined];
      if (kind === 'unknown-upload') return { kind };
      if (kind === 'held') return { kind };
      if (kind === 'wrong-video') return { kind, expectedVideoNo: detail! };
      return {
        kind: 'applied',
        change: detail ? { videoNo, status: detail as VideoStatus, receivedAt } : undefined,
      };
    },

    async applyStatus(videoNo, status, receivedAt) {
      const next = (await run(APPLY_STATUS, [videoKey(videoNo), pendingKey], [videoNo, status, receivedAt, ttl])) as
        string | null;
      return next ? { videoNo, status: next as VideoStatus, receivedAt } : undefined;
    },

    async get(videoNo) {
      return toRecord(await redis.hgetall(videoKey(videoNo)));
    },

    async remove(videoNo) {
      return (await run(REMOVE_VIDEO, [videoKey(videoNo), pendingKey], [videoNo, prefix])) === 1;
    },

    async listVideos(query) {
      const key = ownerKey(query.ownerId);
      const found: VideoRecord[] = [];
      let position = query.after;
      let scanned = 0;
      let exhausted = false;
      let batchSize = query.limit + 1;
      while (found.length <= query.limit && scanned < LIST_MAX_SCANNED && !exhausted) {
        // Ties at the position's uploadTime come whole (few), then a batch strictly older.
        const from = position;
        const ties = from
          ? pairs(await redis.zrevrangebyscore(key, from.uploadTime, from.uploadTime, 'WITHSCORES')).filter(
              ([videoNo]) => videoNo < from.videoNo,
            )
          : [];
        const older = pairs(
          await redis.zrevrangebyscore(
            key,
            from ? `(${from.uploadTime}` : '+inf',
            '-inf',
            'WITHSCORES',
            'LIMIT',
            0,
            batchSize,
          ),
        );
        exhausted = older.length < batchSize;
        batchSize = Math.min(LIST_MAX_BATCH, batchSize * 2);
        const batch = [...ties, ...older];
        if (batch.length === 0) break;
        const pipeline = redis.pipeline();
        for (const [videoNo] of batch) pipeline.hgetall(videoKey(videoNo));
        const rows = (await pipeline.exec()) ?? [];
        const expired: string[] = [];
        for (const [index, [videoNo, uploadTime]] of batch.entries()) {
          scanned += 1;
          position = { uploadTime, videoNo };
          const [error, fields] = rows[index] ?? [];
          const record = error ? undefined : toRecord(fields as Record<string, string>);
          if (!record || record.ownerId !== query.ownerId) expired.push(videoNo);
          else if (matchesFilters(record, query)) found.push(record);
          if (found.length > query.limit) break;
        }
        if (expired.length > 0) await redis.zrem(key, ...expired);
      }
      const records = found.slice(0, query.limit);
      if (found.length > query.limit) {
        const last = records.at(-1)!;
        return { records, next: { uploadTime: last.uploadTime, videoNo: last.videoNo } };
      }
      // The scan stopped early (filters matched few of many): the next page resumes where it stopped.
      return { records, next: exhausted ? undefined : position };
    },

    async pending(limit) {
      const videoNos = await redis.zrange(pendingKey, 0, limit - 1);
      if (videoNos.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const videoNo of videoNos) pipeline.hgetall(videoKey(videoNo));
      const rows = (await pipeline.exec()) ?? [];
      const records: VideoRecord[] = [];
      const expired: string[] = [];
      rows.forEach(([error, fields], index) => {
        const record = error ? undefined : toRecord(fields as Record<string, string>);
        if (record) records.push(record);
        else expired.push(videoNos[index]!);
      });
      if (expired.length > 0) await redis.zrem(pendingKey, ...expired);
      return records;
    },

    // No close(): the connection belongs to whoever made it (redis/redis-connections.ts).
    isReady: () => redis.status === 'ready',
  };
  return {
    ...store,
    openUpload: guarded(store.openUpload),
    completeUpload: guarded(store.completeUpload),
    abandonUpload: guarded(store.abandonUpload),
    applyCallback: guarded(store.applyCallback),
    applyStatus: guarded(store.applyStatus),
    get: guarded(store.get),
    remove: guarded(store.remove),
    pending: guarded(store.pending),
    listVideos: guarded(store.listVideos),
  };
}

/** WITHSCORES answers, as [member, score] pairs. */
function pairs(flat: string[]): [string, number][] {
  const result: [string, number][] = [];
  for (let index = 0; index + 1 < flat.length; index += 2) result.push([flat[index]!, Number(flat[index + 1])]);
  return result;
}
