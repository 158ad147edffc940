/**
 * The status store on Redis, for several instances. Each change is one Lua
 * script, so two instances handling callbacks for the same video at the same
 * moment still see "terminal sticks" and "one event per change".
 *
 * Keys, under the configured prefix:
 *  - `video:<videoNo>`  hash: the record (+ its uploadId); TTL = maxAgeMs, renewed on change
 *  - `upload:<uploadId>` hash: ownerId, partition, videoName, openedAt and the instance that opened it,
 *                       and videoNo once bound, or a held early callback; TTL 24 h while
 *                       open, then as the video
 *  - `held`             sorted set: uploads holding an early callback; a sweep binds those
 *                       whose instance died (no further callback may come after a final one)
 *  - `instance:<id>`    a live instance's heartbeat (TTL INSTANCE_TTL_MS, renewed while it
 *                       runs, deleted when it stops). An upload still open whose instance
 *                       has none was interrupted (the instance died before MAVI answered):
 *                       the first authentic callback binds it to the callback's video, as
 *                       the SQLite store does for uploads open when its process died.
 *  - `pending`          sorted set: videoNos not yet final, by updatedAt (what polling reads)
 *  - `owner:<ownerId>`  sorted set: a client's videoNos by uploadTime (its list); members
 *                       whose video expired are dropped when a list meets them
 *  - `group:<group>`    sorted set: the same for every owner of a group (a tenant's users,
 *                       identity.ts OwnerScope): an administrator's list; `group:` (the empty
 *                       group, EVERY_OWNER) holds every video: the app's service key's list
 */
import { EVERY_OWNER, GROUP_LUA_PATTERN, inScope } from '../identity.js';
import { defineScripts, type LuaScripts } from '../redis/lua-scripts.js';
import { onRedis } from '../redis/store-failure.js';
import type { Redis } from 'ioredis';
import { isVideoStatus, type VideoStatus } from '../mavi/types.js';
import {
  matchesFilters,
  DEFAULT_MAX_AGE_MS,
  OPEN_UPLOAD_TTL_MS,
  storedPartition,
  appDataText,
  parseAppData,
  type CallbackOutcome,
  type CompletedUpload,
  type StatusChange,
  type StatusStore,
  type VideoListPage,
  type VideoListQuery,
  type VideoRecord,
} from './status-store.js';
import { luaTransitionTable } from './transitions.js';
import {
  EVENT_RETENTION_MS,
  luaTerminalEventTable,
  newEventId,
  type StoredVideoEvent,
  type VideoEventType,
} from './video-events.js';

/**
 * Adds a video to its owner's group list, when the owner is in a group, and to the list of every
 * video (the group EVERY_OWNER, '': what the app's service key lists).
 */
const ADD_TO_GROUP = `
local function addToGroup(prefix, ownerId, videoNo, uploadTime, ttl)
  local every = prefix .. 'group:${EVERY_OWNER}'
  redis.call('ZADD', every, uploadTime, videoNo)
  redis.call('PEXPIRE', every, ttl)
  local group = string.match(ownerId, '${GROUP_LUA_PATTERN}')
  if not group then return end
  local key = prefix .. 'group:' .. group
  redis.call('ZADD', key, uploadTime, videoNo)
  redis.call('PEXPIRE', key, ttl)
end
`;

/**
 * The event log (video-events.ts), a stream: each script that changes a video adds its events
 * here, in the same script. EVENTS is set by the script: the stream's key and the events' id base.
 */
const EMIT = `
${luaTerminalEventTable()}
local EVENTS = { key = false, id = false, n = 0, exact = false }
local function emit(eventType, videoKey, at, previous)
  EVENTS.n = EVENTS.n + 1
  local video = redis.call('HMGET', videoKey, 'videoNo', 'videoName', 'status', 'ownerId', 'app')
  local id = EVENTS.id .. '_' .. EVENTS.n
  if EVENTS.exact then id = EVENTS.id end
  local fields = { 'id', id, 'type', eventType, 'at', at, 'videoNo', video[1],
    'videoName', video[2] or '', 'status', video[3], 'ownerId', video[4] or '' }
  if previous then
    table.insert(fields, 'previousStatus')
    table.insert(fields, previous)
  end
  if video[5] then
    table.insert(fields, 'app')
    table.insert(fields, video[5])
  end
  redis.call('XADD', EVENTS.key, 'MINID', '~', tonumber(at) - ${EVENT_RETENTION_MS}, '*', unpack(fields))
end
`;

const APPLY = `
${ADD_TO_GROUP}
${luaTransitionTable()}
${EMIT}
local function apply(videoKey, pendingKey, videoNo, status, at, ttl)
  local current = redis.call('HGET', videoKey, 'status')
  if not current then return false end
  local nxt = NEXT[current] and NEXT[current][status]
  if not nxt then return false end
  redis.call('HSET', videoKey, 'status', nxt, 'updatedAt', at)
  redis.call('PEXPIRE', videoKey, ttl)
  if TERMINAL[nxt] then redis.call('ZREM', pendingKey, videoNo) else redis.call('ZADD', pendingKey, at, videoNo) end
  emit('video.status_changed', videoKey, at, current)
  if TERMINAL_EVENT[nxt] then emit(TERMINAL_EVENT[nxt], videoKey, at) end
  return nxt
end
`;

/** KEYS: video, pending. ARGV: videoNo, status, at, ttl, the key prefix, the event id base. Returns the new status or nil. */
const APPLY_STATUS = `${APPLY}
EVENTS.key, EVENTS.id = ARGV[5] .. 'events', ARGV[6]
return apply(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4])`;

/**
 * KEYS: upload, video, pending. ARGV: videoNo, status, at, ttl, the key prefix, uploadId, the event id base.
 * An interrupted upload (its instance's heartbeat is gone) is bound to this callback's
 * video, with the most advanced of the held status and this one; a video another upload
 * has is not its to take.
 */
const APPLY_CALLBACK = `${APPLY}
EVENTS.key, EVENTS.id = ARGV[5] .. 'events', ARGV[7]
if redis.call('EXISTS', KEYS[1]) == 0 then return {'unknown-upload'} end
local bound = redis.call('HGET', KEYS[1], 'videoNo')
local instance = redis.call('HGET', KEYS[1], 'instance')
local interrupted = (not bound) and ((not instance) or redis.call('EXISTS', ARGV[5] .. 'instance:' .. instance) == 0)
if interrupted then
  local owner = redis.call('HGET', KEYS[2], 'uploadId')
  if owner and owner ~= ARGV[6] then return {'wrong-video', '(another upload)'} end
  local upload = redis.call('HMGET', KEYS[1], 'ownerId', 'videoName', 'openedAt', 'heldVideoNo', 'heldStatus', 'heldAt', 'partition', 'app')
  redis.call('HSET', KEYS[1], 'videoNo', ARGV[1])
  redis.call('HDEL', KEYS[1], 'heldVideoNo', 'heldStatus', 'heldAt')
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  redis.call('ZREM', ARGV[5] .. 'held', ARGV[6])
  if owner then
    local nxt = apply(KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
    if nxt then return {'applied', nxt} end
    return {'applied'}
  end
  local first, firstAt = ARGV[2], ARGV[3]
  if upload[4] == ARGV[1] and upload[5] then first, firstAt = upload[5], upload[6] end
  redis.call('HSET', KEYS[2], 'videoNo', ARGV[1], 'videoName', upload[2] or '', 'status', first,
    'uploadTime', upload[3] or ARGV[3], 'updatedAt', firstAt, 'ownerId', upload[1] or '', 'uploadId', ARGV[6])
  if upload[7] then redis.call('HSET', KEYS[2], 'partition', upload[7]) end
  if upload[8] then redis.call('HSET', KEYS[2], 'app', upload[8]) end
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
  if TERMINAL[first] then redis.call('ZREM', KEYS[3], ARGV[1]) else redis.call('ZADD', KEYS[3], firstAt, ARGV[1]) end
  local ownerKey = ARGV[5] .. 'owner:' .. (upload[1] or '')
  redis.call('ZADD', ownerKey, upload[3] or ARGV[3], ARGV[1])
  redis.call('PEXPIRE', ownerKey, ARGV[4])
  addToGroup(ARGV[5], upload[1] or '', ARGV[1], upload[3] or ARGV[3], ARGV[4])
  emit('video.registered', KEYS[2], firstAt)
  local nxt = apply(KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
  return {'applied', nxt or first, nxt and ARGV[3] or firstAt}
end
if not bound then
  local heldVideo = redis.call('HGET', KEYS[1], 'heldVideoNo')
  local heldStatus = redis.call('HGET', KEYS[1], 'heldStatus')
  -- Keep the most advanced status MAVI sent early: a terminal one must not be overwritten.
  if (not heldVideo) or (heldVideo == ARGV[1] and NEXT[heldStatus] and NEXT[heldStatus][ARGV[2]]) then
    redis.call('HSET', KEYS[1], 'heldVideoNo', ARGV[1], 'heldStatus', ARGV[2], 'heldAt', ARGV[3])
    redis.call('ZADD', ARGV[5] .. 'held', ARGV[3], ARGV[6])
  end
  return {'held'}
end
if bound ~= ARGV[1] then return {'wrong-video', bound} end
local nxt = apply(KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
if nxt then return {'applied', nxt} end
return {'applied'}`;

/**
 * KEYS: upload, video, pending, owner. ARGV: videoNo, videoName, status, uploadTime, updatedAt, ownerId, uploadId, ttl,
 * partition, the key prefix, the event id base, the app's data (JSON, or empty).
 * An upload a callback already bound (its instance's heartbeat lapsed while MAVI answered) keeps the status it has.
 */
const COMPLETE_UPLOAD = `${APPLY}
EVENTS.key, EVENTS.id = ARGV[10] .. 'events', ARGV[11]
if redis.call('HGET', KEYS[1], 'videoNo') == ARGV[1] and redis.call('HGET', KEYS[2], 'uploadId') == ARGV[7] then
  redis.call('HSET', KEYS[2], 'videoName', ARGV[2], 'uploadTime', ARGV[4])
  return {}
end
local held = redis.call('HMGET', KEYS[1], 'heldVideoNo', 'heldStatus', 'heldAt')
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'videoNo', ARGV[1], 'ownerId', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[8])
redis.call('HSET', KEYS[2], 'videoNo', ARGV[1], 'videoName', ARGV[2], 'status', ARGV[3], 'uploadTime', ARGV[4],
  'updatedAt', ARGV[5], 'ownerId', ARGV[6], 'uploadId', ARGV[7], 'partition', ARGV[9])
if ARGV[12] ~= '' then redis.call('HSET', KEYS[2], 'app', ARGV[12]) end
redis.call('PEXPIRE', KEYS[2], ARGV[8])
if TERMINAL[ARGV[3]] then redis.call('ZREM', KEYS[3], ARGV[1]) else redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1]) end
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
redis.call('PEXPIRE', KEYS[4], ARGV[8])
addToGroup(ARGV[10], ARGV[6], ARGV[1], ARGV[4], ARGV[8])
emit('video.registered', KEYS[2], ARGV[5])
if not held[1] then return {} end
if held[1] ~= ARGV[1] then return {'discarded', held[1]} end
local nxt = apply(KEYS[2], KEYS[3], ARGV[1], held[2], held[3], ARGV[8])
if nxt then return {'changed', nxt, held[3]} end
return {}`;

/**
 * KEYS: video, pending. ARGV: videoNo, the key prefix, the event id base, now. Forgets a video, its upload
 * binding and its place in its owner's list; 1 when it was known. (The upload and
 * owner keys are built here from the record: the gateway uses one Redis, not a cluster.)
 */
const REMOVE_VIDEO = `
${EMIT}
EVENTS.key, EVENTS.id = ARGV[2] .. 'events', ARGV[3]
if redis.call('EXISTS', KEYS[1]) == 1 then emit('video.deleted', KEYS[1], ARGV[4]) end
local fields = redis.call('HMGET', KEYS[1], 'uploadId', 'ownerId')
local known = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if fields[1] then redis.call('DEL', ARGV[2] .. 'upload:' .. fields[1]) end
redis.call('ZREM', ARGV[2] .. 'group:${EVERY_OWNER}', ARGV[1])
if fields[2] then
  redis.call('ZREM', ARGV[2] .. 'owner:' .. fields[2], ARGV[1])
  local group = string.match(fields[2], '${GROUP_LUA_PATTERN}')
  if group then redis.call('ZREM', ARGV[2] .. 'group:' .. group, ARGV[1]) end
end
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

/**
 * KEYS: held. ARGV: the key prefix, the most uploads to look at. For each upload holding an
 * early callback: forgotten here once bound or gone; an interrupted one is answered with its
 * held callback ({uploadId, videoNo, status, at}, flattened), for the caller to apply.
 */
const INTERRUPTED_HELD = `
local found = {}
for _, uploadId in ipairs(redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)) do
  local key = ARGV[1] .. 'upload:' .. uploadId
  local upload = redis.call('HMGET', key, 'videoNo', 'instance', 'heldVideoNo', 'heldStatus', 'heldAt')
  if upload[1] or not upload[3] then
    redis.call('ZREM', KEYS[1], uploadId)
  elseif (not upload[2]) or redis.call('EXISTS', ARGV[1] .. 'instance:' .. upload[2]) == 0 then
    table.insert(found, uploadId)
    table.insert(found, upload[3])
    table.insert(found, upload[4])
    table.insert(found, upload[5])
  end
end
return found`;

/**
 * KEYS: video. ARGV: the key prefix, the event's id, its type, at. Adds an event about a known
 * video once per id (a marker kept as long as the log keeps events).
 */
const APPEND_EVENT = `
${EMIT}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if not redis.call('SET', ARGV[1] .. 'event-id:' .. ARGV[2], '1', 'NX', 'PX', ${EVENT_RETENTION_MS}) then return 0 end
EVENTS.key, EVENTS.id, EVENTS.exact = ARGV[1] .. 'events', ARGV[2], true
emit(ARGV[3], KEYS[1], ARGV[4])
return 1`;

/** The scripts, each with its number of keys. */
const SCRIPTS = {
  applyStatus: [APPLY_STATUS, 2],
  applyCallback: [APPLY_CALLBACK, 3],
  completeUpload: [COMPLETE_UPLOAD, 4],
  removeVideo: [REMOVE_VIDEO, 2],
  appendEvent: [APPEND_EVENT, 1],
  abandonUpload: [ABANDON_UPLOAD, 1],
  interruptedHeld: [INTERRUPTED_HELD, 1],
} as const satisfies LuaScripts;

/** How often, and how many at a time, held callbacks of interrupted uploads are looked for. */
const HELD_SWEEP_MS = 60_000;
const HELD_SWEEP_BATCH = 100;

export interface RedisStatusStoreOptions {
  redis: Redis;
  /** Key prefix, e.g. "mavi-gateway:", so that deployments can share one Redis. */
  prefix: string;
  /** This instance, for its heartbeat (random per process). */
  instanceId: string;
  /** How long a heartbeat lives unrenewed: an instance silent this long is taken for dead. */
  instanceTtlMs?: number;
  maxAgeMs?: number;
}

/** An instance renews its heartbeat every third of this; a dead one's uploads are interrupted after it. */
const INSTANCE_TTL_MS = 30_000;

export function createRedisStatusStore(options: RedisStatusStoreOptions): StatusStore {
  const { redis, prefix } = options;
  const ttl = String(options.maxAgeMs ?? DEFAULT_MAX_AGE_MS);
  const videoKey = (videoNo: string) => `${prefix}video:${videoNo}`;
  const uploadKey = (uploadId: string) => `${prefix}upload:${uploadId}`;
  const pendingKey = `${prefix}pending`;
  const ownerKey = (ownerId: string) => `${prefix}owner:${ownerId}`;
  const instanceKey = `${prefix}instance:${options.instanceId}`;
  const heldKey = `${prefix}held`;
  const eventsKey = `${prefix}events`;
  const instanceTtlMs = options.instanceTtlMs ?? INSTANCE_TTL_MS;
  // The heartbeat: a failed renewal (Redis away) is retried at the next beat.
  const beat = () => redis.set(instanceKey, '1', 'PX', instanceTtlMs).catch(() => undefined);
  void beat();
  const heartbeat = setInterval(() => void beat(), instanceTtlMs / 3).unref();
  /**
   * Binds interrupted uploads that hold an early callback (a final status MAVI will not send
   * again), as the SQLite store does when it opens. Any instance may do it: binding is atomic.
   */
  const bindInterruptedHeld = async () => {
    const found = (await run('interruptedHeld', [heldKey], [prefix, HELD_SWEEP_BATCH])) as string[];
    for (let at = 0; at + 3 < found.length; at += 4) {
      const [uploadId, videoNo, status, heldAt] = found.slice(at, at + 4) as [string, string, string, string];
      if (isVideoStatus(status)) await store.applyCallback(uploadId, videoNo, status, Number(heldAt));
    }
  };
  const sweep = () => bindInterruptedHeld().catch(() => undefined); // Redis away: the next sweep retries
  const sweeper = setInterval(() => void sweep(), HELD_SWEEP_MS).unref();

  const run = defineScripts(redis, 'maviGateway', SCRIPTS);

  const readRecords = (videoNos: readonly string[]) => readVideoRecords(redis, videoNos.map(videoKey));

  const store: StatusStore = {
    async openUpload(uploadId, owner, videoName, passthrough) {
      const app = appDataText({ names: owner.names, passthrough });
      await redis
        .multi()
        .hset(
          uploadKey(uploadId),
          'ownerId',
          owner.ownerId,
          'partition',
          owner.partition,
          'videoName',
          videoName,
          'openedAt',
          String(Date.now()),
          'instance',
          options.instanceId,
          ...(app === null ? [] : ['app', app]),
        )
        .set(instanceKey, '1', 'PX', instanceTtlMs)
        .pexpire(uploadKey(uploadId), OPEN_UPLOAD_TTL_MS)
        .exec();
    },

    async completeUpload(uploadId, record): Promise<CompletedUpload> {
      const result = (await run(
        'completeUpload',
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
          record.partition,
          prefix,
          newEventId(),
          appDataText(record) ?? '',
        ],
      )) as string[];
      return completedUpload(record, result);
    },

    async abandonUpload(uploadId) {
      await run('abandonUpload', [uploadKey(uploadId)], []);
    },

    async applyCallback(uploadId, videoNo, status, receivedAt): Promise<CallbackOutcome> {
      const [kind, detail, at] = (await run(
        'applyCallback',
        [uploadKey(uploadId), videoKey(videoNo), pendingKey],
        [videoNo, status, receivedAt, ttl, prefix, uploadId, newEventId()],
      )) as [string, string | undefined, string | undefined];
      if (kind === 'unknown-upload') return { kind };
      if (kind === 'held') return { kind };
      if (kind === 'wrong-video') return { kind, expectedVideoNo: detail! };
      return {
        kind: 'applied',
        change: detail ? { videoNo, status: detail as VideoStatus, receivedAt: Number(at ?? receivedAt) } : undefined,
      };
    },

    async applyStatus(videoNo, status, receivedAt) {
      const next = (await run(
        'applyStatus',
        [videoKey(videoNo), pendingKey],
        [videoNo, status, receivedAt, ttl, prefix, newEventId()],
      )) as string | null;
      return next ? { videoNo, status: next as VideoStatus, receivedAt } : undefined;
    },

    async get(videoNo) {
      return toRecord(await redis.hgetall(videoKey(videoNo)));
    },

    async remove(videoNo) {
      return (
        (await run('removeVideo', [videoKey(videoNo), pendingKey], [videoNo, prefix, newEventId(), Date.now()])) === 1
      );
    },

    async appendEvent(id, type, videoNo, at) {
      await run('appendEvent', [videoKey(videoNo)], [prefix, id, type, at]);
    },

    async eventsAfter(cursor, limit) {
      const entries = await redis.xrange(eventsKey, cursor === undefined ? '-' : `(${cursor}`, '+', 'COUNT', limit);
      return entries.flatMap(([entryId, flat]) => {
        const event = toEvent(entryId, flat);
        return event ? [event] : [];
      });
    },

    async eventLogEnd() {
      const [newest] = await redis.xrevrange(eventsKey, '+', '-', 'COUNT', 1);
      return newest?.[0] ?? '0-0';
    },

    listVideos: (query) => {
      const { owners } = query;
      const key = 'ownerId' in owners ? ownerKey(owners.ownerId) : `${prefix}group:${owners.group}`;
      return listPage(redis, key, query, readRecords);
    },

    async pending(limit) {
      const videoNos = await redis.zrange(pendingKey, 0, limit - 1);
      if (videoNos.length === 0) return [];
      const records = await readRecords(videoNos);
      const expired = videoNos.filter((_, index) => records[index] === undefined);
      if (expired.length > 0) await redis.zrem(pendingKey, ...expired);
      return records.filter((record): record is VideoRecord => record !== undefined);
    },

    isReady: () => redis.status === 'ready',

    // The connection belongs to whoever made it (redis/redis-connections.ts): only the heartbeat stops.
    // Uploads this instance still has open are then interrupted at once.
    async close() {
      clearInterval(heartbeat);
      clearInterval(sweeper);
      await redis.del(instanceKey).catch(() => undefined);
    },
  };
  void sweep();
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
    appendEvent: guarded(store.appendEvent),
    eventsAfter: guarded(store.eventsAfter),
    eventLogEnd: guarded(store.eventLogEnd),
  };
}

/** A flat answer ([field, value, field, value, …]: WITHSCORES, a stream entry's fields) as pairs. */
function pairs(flat: readonly string[]): [string, string][] {
  const result: [string, string][] = [];
  for (let index = 0; index + 1 < flat.length; index += 2) result.push([flat[index]!, flat[index + 1]!]);
  return result;
}

/** WITHSCORES answers, as [member, score] pairs. */
function scored(flat: readonly string[]): [string, number][] {
  return pairs(flat).map(([member, score]) => [member, Number(score)]);
}

/**
 * One page of a scope's videos, newest first, from the scope's sorted set at `key`. Entries whose
 * video is gone, or no longer in the scope, are dropped from the set as they are met.
 */
async function listPage(
  redis: Redis,
  key: string,
  query: VideoListQuery,
  readRecords: (videoNos: readonly string[]) => Promise<(VideoRecord | undefined)[]>,
): Promise<VideoListPage> {
  const { owners } = query;
  const found: VideoRecord[] = [];
  let position = query.after;
  let scanned = 0;
  let exhausted = false;
  let batchSize = query.limit + 1;
  while (found.length <= query.limit && scanned < LIST_MAX_SCANNED && !exhausted) {
    // Ties at the position's uploadTime come whole (few), then a batch strictly older.
    const from = position;
    const ties = from
      ? scored(await redis.zrevrangebyscore(key, from.uploadTime, from.uploadTime, 'WITHSCORES')).filter(
          ([videoNo]) => videoNo < from.videoNo,
        )
      : [];
    const older = scored(
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
    const records = await readRecords(batch.map(([videoNo]) => videoNo));
    const expired: string[] = [];
    for (const [index, [videoNo, uploadTime]] of batch.entries()) {
      scanned += 1;
      position = { uploadTime, videoNo };
      const record = records[index];
      if (!record || !inScope(owners, record.ownerId)) expired.push(videoNo);
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
}

/** A video's hash as a record; undefined for one that is gone, or not a video's. */
function toRecord(fields: Record<string, string>): VideoRecord | undefined {
  if (!fields.videoNo || !isVideoStatus(fields.status)) return undefined;
  return {
    videoNo: fields.videoNo,
    videoName: fields.videoName ?? '',
    status: fields.status,
    uploadTime: Number(fields.uploadTime),
    updatedAt: Number(fields.updatedAt),
    ownerId: fields.ownerId ?? '',
    partition: storedPartition(fields.partition, fields.ownerId ?? ''),
    ...parseAppData(fields.app),
  };
}

/** A stream entry of the event log as an event; undefined for one that is not an event's. */
function toEvent(cursor: string, flat: string[]): StoredVideoEvent | undefined {
  const fields = Object.fromEntries(pairs(flat));
  if (!fields.id || !fields.type || !fields.videoNo || !isVideoStatus(fields.status)) return undefined;
  return {
    cursor,
    id: fields.id,
    type: fields.type as VideoEventType,
    at: Number(fields.at),
    videoNo: fields.videoNo,
    videoName: fields.videoName ?? '',
    status: fields.status,
    previousStatus: isVideoStatus(fields.previousStatus) ? fields.previousStatus : undefined,
    ownerId: fields.ownerId ?? '',
    ...parseAppData(fields.app),
  };
}

/** The records at these keys, in order; undefined for one that is gone (or unreadable). */
async function readVideoRecords(redis: Redis, keys: readonly string[]): Promise<(VideoRecord | undefined)[]> {
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.hgetall(key);
  const rows = (await pipeline.exec()) ?? [];
  return keys.map((_, index) => {
    const [error, fields] = rows[index] ?? [];
    return error ? undefined : toRecord(fields as Record<string, string>);
  });
}

/** What the completeUpload script answered: the record as stored, a held callback's change, or a discarded video. */
function completedUpload(record: VideoRecord, result: string[]): CompletedUpload {
  if (result[0] === 'discarded') return { record, change: undefined, discardedVideoNo: result[1] };
  if (result[0] !== 'changed') return { record, change: undefined, discardedVideoNo: undefined };
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

/** Redis failures become StoreUnavailableError: callers answer 503 / STORE_UNAVAILABLE. */
function guarded<Args extends unknown[], Result>(operation: (...args: Args) => Promise<Result>) {
  return (...args: Args): Promise<Result> => onRedis(() => operation(...args));
}
