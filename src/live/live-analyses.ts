/**
 * Live analyses: MAVI watching an RTMP stream for an owner and POSTing what it sees about
 * every 5 s (docs/memories-api.md §2.15), as a `liveAnalysis(id)` subscription.
 *
 * MAVI runs at most 4 streams per key, and the key is shared by every user of the app, so
 * streams are admitted here first, fairly: at most LIVE_STREAMS_PER_OWNER per owner and
 * LIVE_STREAMS_MAX in all (LIVE_CAPACITY_FULL beyond). The capacity is a set of slots in the
 * records store (SQLite, or Redis for every instance together), each taken atomically (`add`)
 * and given back when the analysis ends: stopped by its owner, its owner erased, its owner's
 * access ended, MAVI refusing to start it, or silent for LIVE_SILENCE_TIMEOUT_MS (a sweep on
 * every instance finds those; MAVI stops a stream when the credits run out, and says nothing).
 *
 * Every part of an analysis is a record of its own, written by one party only, so that
 * instances never overwrite each other's: the start (immutable), MAVI's task id, the latest
 * result, when MAVI was last heard, how long the owner's access lasts, and the end (written
 * once, by whoever ends it first: `add`). Results after the end are refused.
 *
 * The body of a result is not documented anywhere: an event carries what can be read safely
 * (a text field, when there is one), the time it came, and the whole body as JSON. A body that
 * is not JSON is kept for the operator (`live-unreadable:<id>`) and logged once per analysis.
 */
import { gatewayError } from '../errors.js';
import type { CallbackTokens } from '../auth/callback-tokens.js';
import { EventBus } from '../events/event-bus.js';
import { follow, type Changes, type Feed } from '../events/follow.js';
import { clientPartition, inScope, listScope, type Owner, type OwnerNames, type Viewer } from '../identity.js';
import type { KeyValueStore } from '../kv/key-value-store.js';
import type { Logger } from '../logger.js';
import type { MaviApi, MaviLiveStreams } from '../mavi/api.js';
import { MaviError } from '../mavi/errors.js';
import type { HostResolver } from '../net/public-url.js';
import { checkStreamUrl } from './stream-url.js';

export type LiveState = 'STARTING' | 'RUNNING' | 'STOPPED' | 'FAILED';
/** Why an analysis ended. */
export type StopReason = 'STOPPED_BY_OWNER' | 'OWNER_ERASED' | 'ACCESS_ENDED' | 'SILENT';

/** The longest prompt or system prompt taken. */
export const MAX_PROMPT_CHARS = 2000;
/** How long an analysis's records are kept: for a running one, a safety bound; after its end, for replay. */
const RUNNING_TTL_MS = 30 * 24 * 3600_000;
const ENDED_TTL_MS = 7 * 24 * 3600_000;
/** How often each instance looks for silent analyses, at most. */
const MAX_SWEEP_INTERVAL_MS = 5_000;

/** What an analysis was asked, kept from its start. */
interface StartRecord {
  id: string;
  ownerId: string;
  partition: string;
  names?: OwnerNames;
  /** The stream's host, for logs and webhooks (the URL itself may carry a stream key). */
  streamHost: string;
  startedAt: number;
}

/** One result, as readable as MAVI's body allows. */
export interface LiveResult {
  text: string | undefined;
  at: number;
  raw: unknown;
}

interface EndRecord {
  state: 'STOPPED' | 'FAILED';
  reason: StopReason;
  at: number;
}

/** An analysis as its owner sees it. */
export interface LiveAnalysisView {
  id: string;
  state: LiveState;
  startedAt: number;
  stoppedAt: number | undefined;
  stopReason: StopReason | undefined;
  latest: LiveResult | undefined;
}

/** What a subscriber receives: a result, or the end (the last event). */
export interface LiveEvent {
  analysisId: string;
  state: LiveState;
  at: number;
  text: string | undefined;
  raw: unknown;
  stopReason: StopReason | undefined;
}

interface LiveLimits {
  streamsPerOwner: number;
  maxStreams: number;
  silenceTimeoutMs: number;
}

export interface LiveAnalysesDeps {
  mavi: MaviApi;
  records: KeyValueStore;
  events: EventBus<LiveEvent>;
  tokens: CallbackTokens;
  /** Where MAVI POSTs an analysis's results, for its token; undefined when MAVI cannot reach the gateway. */
  callbackUrlFor(token: string): string | undefined;
  limits: LiveLimits;
  logger: Logger;
  /** Tells the app's backend (live.result, live.stopped), once per event id. */
  announce(id: string, type: 'live.result' | 'live.stopped', data: Record<string, unknown>): Promise<void>;
  resolveHost?: HostResolver;
  now?: () => number;
}

export interface StartRequest {
  streamUrl: string;
  prompt: string;
  systemPrompt: string | undefined;
}

/** What became of a result MAVI posted. */
export type ResultOutcome = { kind: 'unknown' } | { kind: 'ended' } | { kind: 'applied' } | { kind: 'unreadable' };

const key = {
  start: (id: string) => `live:${id}`,
  task: (id: string) => `live-task:${id}`,
  latest: (id: string) => `live-latest:${id}`,
  heard: (id: string) => `live-heard:${id}`,
  access: (id: string) => `live-access:${id}`,
  end: (id: string) => `live-end:${id}`,
  unreadable: (id: string) => `live-unreadable:${id}`,
  unreadableLogged: (id: string) => `live-unreadable-logged:${id}`,
  slot: (index: number) => `live-slot:${index}`,
  ownerSlot: (ownerId: string, index: number) => `live-owner-slot:${ownerId}:${index}`,
};

export class LiveAnalyses {
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> = Promise.resolve();

  constructor(private readonly deps: LiveAnalysesDeps) {
    this.now = deps.now ?? Date.now;
    const interval = Math.min(MAX_SWEEP_INTERVAL_MS, Math.max(50, Math.floor(deps.limits.silenceTimeoutMs / 4)));
    // A family without live streams has nothing to sweep.
    this.sweeper = !deps.mavi.liveStreams
      ? undefined
      : setInterval(() => {
          this.sweeping = this.sweep().catch((error: unknown) =>
            deps.logger.warn('could not look for silent live analyses; trying again', { error }),
          );
        }, interval).unref();
  }

  /**
   * Starts analysing a stream for the owner. Everything that can be refused is refused before
   * a slot is taken, and a slot taken is given back when MAVI refuses: no half-started analysis.
   * `accessUntil` is when the caller's token expires (undefined for a key, which does not).
   */
  async start(owner: Owner, request: StartRequest, accessUntil: number | undefined): Promise<LiveAnalysisView> {
    const live = this.offered();
    const promptProblem =
      textProblem(request.prompt, 'prompt', true) ?? textProblem(request.systemPrompt, 'systemPrompt', false);
    if (promptProblem !== undefined) throw gatewayError('INVALID_INPUT', promptProblem);
    const streamUrl = await checkStreamUrl(request.streamUrl, this.deps.resolveHost);
    const { uploadId: id, token } = this.deps.tokens.mint();
    const callbackUrl = this.deps.callbackUrlFor(token);
    if (callbackUrl === undefined) {
      throw gatewayError(
        'MAVI_MISCONFIGURED',
        'Live analysis needs PUBLIC_URL: MAVI posts its results to the gateway, and cannot reach this one.',
      );
    }
    const start: StartRecord = {
      id,
      ownerId: owner.ownerId,
      partition: owner.partition,
      names: owner.names,
      streamHost: streamUrl.hostname,
      startedAt: this.now(),
    };
    // The start is written before a slot is taken: a slot then always names an analysis that
    // exists, and one that names none (or one that ended) is a leftover anyone may take back.
    await this.deps.records.set(key.start(id), JSON.stringify(start), RUNNING_TTL_MS);
    try {
      await this.takeSlots(owner.ownerId, id);
    } catch (error) {
      await this.deps.records.delete(key.start(id)).catch(() => undefined);
      throw error;
    }
    let taskId: string;
    try {
      if (accessUntil !== undefined) await this.deps.records.set(key.access(id), String(accessUntil), RUNNING_TTL_MS);
      taskId = await live.start({
        streamUrl: streamUrl.href,
        prompt: request.prompt,
        systemPrompt: request.systemPrompt,
        callbackUrl,
      });
      await this.deps.records.set(key.task(id), taskId, RUNNING_TTL_MS);
    } catch (error) {
      await this.forgetFailedStart(start);
      throw error instanceof MaviError ? error.toGatewayError() : error;
    }
    // Ended while MAVI was starting it (its owner erased meanwhile): whoever ended it found no task
    // to stop at MAVI, so it is stopped here.
    const endedMeanwhile = await this.endOf(id);
    if (endedMeanwhile) {
      await live
        .stop(taskId)
        .catch((error: unknown) =>
          this.deps.logger.warn('could not stop a live stream at MAVI', { analysisId: id, error }),
        );
      return viewOf(start, undefined, endedMeanwhile);
    }
    this.deps.logger.info('live analysis started', {
      analysisId: id,
      host: start.streamHost,
      client: clientPartition(owner.ownerId),
    });
    return viewOf(start, undefined, undefined);
  }

  /** The caller's analysis (an administrator's: its group's), or undefined when unknown or another's. */
  async find(viewer: Viewer, id: string): Promise<LiveAnalysisView | undefined> {
    const start = await this.visibleStart(viewer, id);
    if (!start) return undefined;
    const [latest, end] = await Promise.all([this.latestOf(id), this.endOf(id)]);
    return viewOf(start, latest, end);
  }

  /** Stops the caller's analysis at MAVI and here; stopping one that ended already changes nothing. */
  async stop(viewer: Viewer, id: string): Promise<LiveAnalysisView> {
    const start = await this.visibleStart(viewer, id);
    if (!start) throw liveAnalysisNotFound(id);
    await this.end(start, 'STOPPED', 'STOPPED_BY_OWNER');
    return (await this.find(viewer, id))!;
  }

  /**
   * The analysis's latest result, then each new one, and last its end; undefined when it is not
   * the caller's. Listening starts before the state is read, so nothing falls between. The
   * owner following it with a token that lasts longer extends its access (see sweep).
   */
  async follow(viewer: Viewer, id: string, accessUntil: number | undefined): Promise<Feed<LiveEvent> | undefined> {
    const start = await this.visibleStart(viewer, id);
    if (!start) return undefined;
    const changes = this.deps.events.subscribe(id);
    try {
      await changes.ready;
      const [latest, end] = await Promise.all([this.latestOf(id), this.endOf(id)]);
      if (end) {
        await changes.return();
        const events = [...(latest ? [resultEvent(id, latest)] : []), endEvent(id, end)];
        return follow(listChanges(events), { isLast: isEnd });
      }
      if (viewer.ownerId === start.ownerId) await this.extendAccess(id, accessUntil);
      return follow(changes, { first: latest ? resultEvent(id, latest) : undefined, isLast: isEnd });
    } catch (error) {
      await changes.return();
      throw error;
    }
  }

  /**
   * A result MAVI posted for analysis `id` (its callback token was verified): kept as the
   * latest, published, and handed to the app's backend. A body that is not JSON is kept for
   * the operator and logged once; either way MAVI was heard, so the analysis is not silent.
   */
  async acceptResult(id: string, body: string): Promise<ResultOutcome> {
    const start = await this.startOf(id);
    if (!start) return { kind: 'unknown' };
    if (await this.endOf(id)) return { kind: 'ended' };
    const at = this.now();
    await this.deps.records.set(key.heard(id), String(at), RUNNING_TTL_MS);
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch {
      await this.deps.records.set(key.unreadable(id), body, ENDED_TTL_MS);
      if (await this.deps.records.add(key.unreadableLogged(id), '1', ENDED_TTL_MS)) {
        this.deps.logger.warn(
          'MAVI posted a live result that is not JSON; kept for the operator, logged once per analysis',
          {
            analysisId: id,
            bytes: Buffer.byteLength(body),
            record: key.unreadable(id),
          },
        );
      }
      return { kind: 'unreadable' };
    }
    const result: LiveResult = { text: textOf(raw), at, raw };
    await this.deps.records.set(key.latest(id), JSON.stringify(result), RUNNING_TTL_MS);
    this.deps.events.publish(id, resultEvent(id, result));
    await this.deps.announce(`msg_live_result_${id}_${at}`, 'live.result', {
      analysisId: id,
      text: result.text ?? null,
      at: new Date(at).toISOString(),
      raw,
      owner: start.names ?? null,
    });
    return { kind: 'applied' };
  }

  /** Stops every analysis of an owner (its erasure); answers how many. */
  async stopOwner(ownerId: string): Promise<number> {
    let stopped = 0;
    for (let index = 0; index < this.deps.limits.maxStreams; index += 1) {
      const id = await this.deps.records.get(key.ownerSlot(ownerId, index));
      const start = id === undefined ? undefined : await this.startOf(id);
      if (start && (await this.end(start, 'STOPPED', 'OWNER_ERASED'))) stopped += 1;
    }
    return stopped;
  }

  /**
   * Ends the analyses that hold a slot but should not: silent for longer than the bound, or
   * whose owner's access ended (the token it was started or last followed with expired).
   */
  async sweep(): Promise<void> {
    const { records, limits } = this.deps;
    for (let index = 0; index < limits.maxStreams; index += 1) {
      const id = await records.get(key.slot(index));
      if (id === undefined) continue;
      const start = await this.startOf(id);
      if (!start) {
        await records.delete(key.slot(index)); // its records expired: a leftover of a crash
        continue;
      }
      if (await this.endOf(id)) {
        await this.giveBackSlots(start); // ended by an instance that stopped before giving them back
        continue;
      }
      const [heard, access] = await Promise.all([records.get(key.heard(id)), records.get(key.access(id))]);
      const now = this.now();
      if (now - Number(heard ?? start.startedAt) > limits.silenceTimeoutMs) await this.end(start, 'FAILED', 'SILENT');
      else if (access !== undefined && now > Number(access)) await this.end(start, 'STOPPED', 'ACCESS_ENDED');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.sweeping;
  }

  private offered(): MaviLiveStreams {
    const { liveStreams, family } = this.deps.mavi;
    if (liveStreams) return liveStreams;
    throw gatewayError(
      'UNSUPPORTED_BY_MAVI',
      `The MAVI API family behind this gateway (MAVI_API=${family}) offers no live-stream analysis; the successor family (MAVI_API=v1) does.`,
    );
  }

  /**
   * Ends the analysis once: the first to write its end stops it at MAVI, gives its slots back,
   * tells its subscribers and the app's backend. Answers whether this call ended it.
   */
  private async end(start: StartRecord, state: EndRecord['state'], reason: StopReason): Promise<boolean> {
    const { records, logger } = this.deps;
    const ended: EndRecord = { state, reason, at: this.now() };
    if (!(await records.add(key.end(start.id), JSON.stringify(ended), ENDED_TTL_MS))) return false;
    const taskId = await records.get(key.task(start.id));
    if (taskId !== undefined) {
      // Given back only after MAVI was asked to stop it, so a new stream does not make MAVI's fifth
      // (if MAVI still counts it, the next start is refused by MAVI: LIVE_CAPACITY_FULL all the same).
      await this.offered()
        .stop(taskId)
        .catch((error: unknown) =>
          logger.warn('could not stop a live stream at MAVI', { analysisId: start.id, error }),
        );
    }
    await this.giveBackSlots(start);
    this.deps.events.publish(start.id, endEvent(start.id, ended));
    logger.info('live analysis ended', { analysisId: start.id, state, reason });
    await this.deps.announce(`msg_live_stopped_${start.id}`, 'live.stopped', {
      analysisId: start.id,
      state,
      reason,
      at: new Date(ended.at).toISOString(),
      owner: start.names ?? null,
    });
    return true;
  }

  /** One of the owner's slots, then one of the key's; LIVE_CAPACITY_FULL, holding none, when either is full. */
  private async takeSlots(ownerId: string, id: string): Promise<void> {
    const { limits } = this.deps;
    const ownerSlot = await this.takeOne(limits.streamsPerOwner, (index) => key.ownerSlot(ownerId, index), id);
    let slot: string | undefined;
    try {
      slot = ownerSlot === undefined ? undefined : await this.takeOne(limits.maxStreams, key.slot, id);
    } catch (error) {
      await this.deps.records.delete(ownerSlot!).catch(() => undefined);
      throw error;
    }
    if (ownerSlot === undefined) {
      throw gatewayError(
        'LIVE_CAPACITY_FULL',
        `You run ${limits.streamsPerOwner} live ${limits.streamsPerOwner === 1 ? 'analysis' : 'analyses'} already, as many as one owner may (LIVE_STREAMS_PER_OWNER): stop one first.`,
      );
    }
    if (slot === undefined) {
      await this.deps.records.delete(ownerSlot);
      throw gatewayError(
        'LIVE_CAPACITY_FULL',
        `Every live stream the gateway's MAVI key may run (${limits.maxStreams}) is taken by this app's users: retry later.`,
      );
    }
  }

  /**
   * The first free slot of `count`, taken for `id`; its key, or undefined when all are taken. A
   * slot held by an analysis that ended, or that no longer exists (a crash between its start and
   * its end), is a leftover: taken back first.
   */
  private async takeOne(count: number, slotKey: (index: number) => string, id: string): Promise<string | undefined> {
    const { records } = this.deps;
    for (let index = 0; index < count; index += 1) {
      if (await records.add(slotKey(index), id, RUNNING_TTL_MS)) return slotKey(index);
      const holder = await records.get(slotKey(index));
      if (holder === undefined || (await this.isLive(holder))) continue;
      if ((await records.get(slotKey(index))) === holder) await records.delete(slotKey(index));
      if (await records.add(slotKey(index), id, RUNNING_TTL_MS)) return slotKey(index);
    }
    return undefined;
  }

  /** Whether the analysis exists and has not ended. */
  private async isLive(id: string): Promise<boolean> {
    return (await this.startOf(id)) !== undefined && (await this.endOf(id)) === undefined;
  }

  /** Frees the slots that hold this analysis (and only those: a slot is freed by the analysis in it). */
  private async giveBackSlots(start: Pick<StartRecord, 'id' | 'ownerId'>): Promise<void> {
    const { records, limits } = this.deps;
    const keys = Array.from({ length: limits.maxStreams }, (_, index) => [
      key.slot(index),
      key.ownerSlot(start.ownerId, index),
    ]).flat();
    for (const slotKey of keys) if ((await records.get(slotKey)) === start.id) await records.delete(slotKey);
  }

  /** An analysis MAVI did not start: its records go, and its slots are given back. */
  private async forgetFailedStart(start: StartRecord): Promise<void> {
    const { id } = start;
    await Promise.all(
      [key.start(id), key.access(id), key.task(id)].map((name) => this.deps.records.delete(name)),
    ).catch(() => undefined);
    await this.giveBackSlots(start).catch((error: unknown) =>
      this.deps.logger.error('could not give back the slot of a live analysis that failed to start', {
        analysisId: id,
        error,
      }),
    );
  }

  private async extendAccess(id: string, accessUntil: number | undefined): Promise<void> {
    const current = await this.deps.records.get(key.access(id));
    if (current === undefined) return; // started with a key: its access does not end
    if (accessUntil === undefined || accessUntil > Number(current)) {
      if (accessUntil === undefined) await this.deps.records.delete(key.access(id));
      else await this.deps.records.set(key.access(id), String(accessUntil), RUNNING_TTL_MS);
    }
  }

  private async visibleStart(viewer: Viewer, id: string): Promise<StartRecord | undefined> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return undefined;
    const start = await this.startOf(id);
    return start && inScope(listScope(viewer), start.ownerId) ? start : undefined;
  }

  private async startOf(id: string): Promise<StartRecord | undefined> {
    const text = await this.deps.records.get(key.start(id));
    return text === undefined ? undefined : (JSON.parse(text) as StartRecord);
  }

  private async latestOf(id: string): Promise<LiveResult | undefined> {
    const text = await this.deps.records.get(key.latest(id));
    return text === undefined ? undefined : (JSON.parse(text) as LiveResult);
  }

  private async endOf(id: string): Promise<EndRecord | undefined> {
    const text = await this.deps.records.get(key.end(id));
    return text === undefined ? undefined : (JSON.parse(text) as EndRecord);
  }
}

export function liveAnalysisNotFound(id: string) {
  return gatewayError(
    'LIVE_ANALYSIS_NOT_FOUND',
    `No live analysis ${JSON.stringify(id.slice(0, 100))} is known to you.`,
  );
}

function viewOf(start: StartRecord, latest: LiveResult | undefined, end: EndRecord | undefined): LiveAnalysisView {
  return {
    id: start.id,
    state: end?.state ?? (latest ? 'RUNNING' : 'STARTING'),
    startedAt: start.startedAt,
    stoppedAt: end?.at,
    stopReason: end?.reason,
    latest,
  };
}

function resultEvent(analysisId: string, result: LiveResult): LiveEvent {
  return { analysisId, state: 'RUNNING', at: result.at, text: result.text, raw: result.raw, stopReason: undefined };
}

function endEvent(analysisId: string, end: EndRecord): LiveEvent {
  return { analysisId, state: end.state, at: end.at, text: undefined, raw: null, stopReason: end.reason };
}

function isEnd(event: LiveEvent): boolean {
  return event.state === 'STOPPED' || event.state === 'FAILED';
}

/** A fixed list of events, read like a bus subscription. */
function listChanges(events: LiveEvent[]): Changes<LiveEvent> {
  return {
    next: async () => {
      const event = events.shift();
      return event === undefined ? { done: true, value: undefined } : { done: false, value: event };
    },
    return: async () => {
      events.length = 0;
    },
  };
}

/** The fields a result's text is looked for in, at the top and under `data` (the body's shape is unknown). */
const TEXT_FIELDS = ['text', 'content', 'result', 'caption', 'answer', 'message'];

/** The body's text, when it has a text field (or is a string); undefined otherwise. */
function textOf(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  for (const holder of [raw, (raw as { data?: unknown } | null)?.data]) {
    if (holder === null || typeof holder !== 'object' || Array.isArray(holder)) continue;
    for (const field of TEXT_FIELDS) {
      const value = (holder as Record<string, unknown>)[field];
      if (typeof value === 'string' && value.trim() !== '') return value;
    }
  }
  return undefined;
}

function textProblem(text: string | undefined, what: string, required: boolean): string | undefined {
  if (text === undefined) return required ? `The ${what} is required.` : undefined;
  if (required && text.trim() === '') return `The ${what} is empty.`;
  if (text.length > MAX_PROMPT_CHARS)
    return `The ${what} has ${text.length} characters; at most ${MAX_PROMPT_CHARS} are taken.`;
  return undefined;
}
