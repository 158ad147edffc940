/**
 * `transcript(videoNo, kind)` and `transcriptReady`: one design over two ways of
 * making transcripts (mavi/api.ts TranscriptSource).
 *
 * The successor family has them once the video is processed: a plain read.
 *
 * The original family runs a task per transcript and calls back when it is done.
 * The first request starts the task; its record (`transcript:<videoNo>:<kind>`:
 * the task's id, then MAVI's taskNo) lives in the key-value store, so every
 * instance and every restart finds it, and later requests read the task's result
 * from MAVI. The callback URL carries a token of its own kind, bound to the task
 * (auth/callback-tokens.ts): only a genuine callback naming the task's own video
 * is accepted; repeats change nothing; a callback that beats MAVI's answer to
 * subTranscription is kept (it carries the taskNo). A finished task is announced
 * on the transcript bus, which is what `transcriptReady` waits for: the client
 * never polls.
 */
import { type Viewer } from '../identity.js';
import type { CallbackTokens } from '../auth/callback-tokens.js';
import { gatewayError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import { follow, type Changes } from '../events/follow.js';
import type { KeyValueStore } from '../kv/key-value-store.js';
import type { Logger } from '../logger.js';
import type { MaviApi, TranscriptKind, TranscriptSegment, TranscriptSource } from '../mavi/api.js';
import type { StatusFeed } from '../status/status-feed.js';
import type { StatusService } from '../status/status-service.js';
import type { VideoRecord } from '../status/status-store.js';
import type { CostControl } from '../limits/cost-control.js';
import { canSee, videoNotFound, visibleTo } from './ownership.js';

/** READY: the segments are final. PENDING: being made; ask again, or wait with transcriptReady. UNAVAILABLE: MAVI has none. */
type TranscriptState = 'READY' | 'PENDING' | 'UNAVAILABLE';

export interface Transcript {
  videoNo: string;
  kind: TranscriptKind;
  state: TranscriptState;
  segments: TranscriptSegment[];
}

/** Published when a transcription task is done. */
export interface TranscriptDone {
  videoNo: string;
  kind: TranscriptKind;
}

/** What the webhook route makes of a transcription callback. */
export type TranscriptCallbackOutcome =
  | { kind: 'unknown-task' }
  | { kind: 'wrong-video' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'applied'; changed: boolean };

/** The topic prefix of transcript events (the README documents the channel names). */
export const TRANSCRIPT_TOPIC = 'transcript:';

/** How long a task's record is kept (as long as a video's status). */
const TASK_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** A claim that never got MAVI's taskNo (its process died mid-request) is taken over after this. */
const STALE_CLAIM_MS = 2 * 60 * 1000;

interface TaskRecord {
  taskId: string;
  videoNo: string;
  kind: TranscriptKind;
  claimedAt: number;
  taskNo?: string;
}

export interface TranscriptsDeps {
  mavi: MaviApi;
  status: StatusService;
  records: KeyValueStore;
  events: EventBus<TranscriptDone>;
  /** Tokens of the transcript kind. */
  tokens: CallbackTokens;
  /** Where MAVI calls back for a task with this token; undefined when it cannot reach us. */
  callbackUrlFor(token: string): string | undefined;
  cost: CostControl;
  logger: Logger;
}

const taskKey = (videoNo: string, kind: TranscriptKind) => `transcript:${videoNo}:${kind}`;
const taskIdKey = (taskId: string) => `transcript-task:${taskId}`;
const doneKey = (taskId: string) => `transcript-done:${taskId}`;
const topicOf = (videoNo: string, kind: TranscriptKind) => `${videoNo}:${kind}`;

export class Transcripts {
  constructor(private readonly deps: TranscriptsDeps) {}

  /**
   * The transcript of the caller's video as it stands; starts making it when needed.
   * Undefined when no such video is the caller's (a lookup, like `video`: nothing is spent).
   */
  async get(
    viewer: Viewer,
    videoNo: string,
    kind: TranscriptKind,
    signal?: AbortSignal,
  ): Promise<Transcript | undefined> {
    const record = await this.find(viewer, videoNo);
    if (!record) return undefined;
    await this.deps.cost.spend('transcript', viewer.ownerId);
    return this.current(record, kind, signal);
  }

  /**
   * Waits for the transcript without polling: the current state first when it is
   * final, else the transcript once ready (after the video is processed and, on
   * the original family, its task called back). Ends after one event.
   *
   * It listens for the task's done-event and follows the video's status before it
   * reads the transcript's state, so the done-event cannot be missed; the feed
   * (events/follow.ts) lets go of both the moment the subscriber leaves.
   */
  async waitFor(viewer: Viewer, videoNo: string, kind: TranscriptKind): Promise<AsyncIterable<Transcript>> {
    await this.owned(viewer, videoNo);
    await this.deps.cost.spend('transcript', viewer.ownerId);
    const done = this.deps.events.subscribe(topicOf(videoNo, kind));
    let status: StatusFeed | undefined;
    const release = () => Promise.all([done.return(), status?.return()]);
    try {
      status = await this.deps.status.follow(videoNo, visibleTo(viewer));
      if (!status) throw videoNotFound(videoNo);
      await done.ready;
    } catch (error) {
      await release();
      throw error;
    }
    const processed = status;
    return follow<Transcript>(
      { next: () => this.onceReady(processed, done, videoNo, kind), return: release },
      { isLast: () => true },
    );
  }

  /** The transcript once the video is processed and the transcript is no longer pending; done if it never will be. */
  private async onceReady(
    status: StatusFeed,
    done: Changes<TranscriptDone>,
    videoNo: string,
    kind: TranscriptKind,
  ): Promise<IteratorResult<Transcript>> {
    const ended = { done: true, value: undefined } as const;
    let record: VideoRecord | undefined;
    for await (const event of status) {
      if ('removed' in event) {
        throw gatewayError('VIDEO_DELETED', `The video "${videoNo}" was deleted; nothing more will come.`);
      }
      if (event.status === 'UNPARSE') continue;
      record = await this.deps.status.get(videoNo);
      break;
    }
    if (!record) return ended; // the subscriber left, or the gateway is shutting down
    let transcript = await this.current(record, kind);
    if (transcript.state === 'PENDING') {
      if ((await done.next()).done) return ended;
      transcript = await this.current(record, kind);
    }
    return { done: false, value: transcript };
  }

  /**
   * A transcription callback (original family), for the task its token names: the
   * webhook route has checked the token; this checks the body against the task.
   */
  /** Erasure: forgets the video's transcription tasks (both kinds) and their outcomes. */
  async forget(videoNo: string): Promise<void> {
    const { records } = this.deps;
    for (const kind of ['SPEECH', 'VISUAL'] as const satisfies readonly TranscriptKind[]) {
      const task = parseTask(await records.get(taskKey(videoNo, kind)));
      if (task) await Promise.all([records.delete(taskIdKey(task.taskId)), records.delete(doneKey(task.taskId))]);
      await records.delete(taskKey(videoNo, kind));
    }
  }

  async acceptCallback(taskId: string, body: unknown): Promise<TranscriptCallbackOutcome> {
    const data = callbackData(body);
    if (typeof data?.videoNo !== 'string' || data.videoNo === '') {
      return { kind: 'invalid', reason: 'The field "videoNo" must be a non-empty string.' };
    }
    if (typeof data.status !== 'string') return { kind: 'invalid', reason: 'The field "status" must be a string.' };
    const task = parseTask(await this.deps.records.get(taskIdKey(taskId)));
    if (!task) return { kind: 'unknown-task' };
    if (task.videoNo !== data.videoNo) return { kind: 'wrong-video' };
    if (!/^FINISH(ED)?$/i.test(data.status)) return { kind: 'applied', changed: false };
    const taskNo = typeof data.taskNo === 'string' || typeof data.taskNo === 'number' ? String(data.taskNo) : '';
    const changed = await this.deps.records.add(doneKey(taskId), taskNo, TASK_TTL_MS);
    // Added on every FINISH callback, once per task: a callback repeated after a crash between the
    // two writes (it was not answered) still makes the event, and never twice.
    await this.deps.status.appendEvent(`msg_transcript_${taskId}`, 'transcript.ready', task.videoNo, Date.now());
    if (changed) this.deps.events.publish(topicOf(task.videoNo, task.kind), { videoNo: task.videoNo, kind: task.kind });
    return { kind: 'applied', changed };
  }

  /** The caller's video; undefined for an unknown one and for one the caller may not see alike. */
  private async find(viewer: Viewer, videoNo: string): Promise<VideoRecord | undefined> {
    const record = await this.deps.status.get(videoNo);
    return record && canSee(viewer, record) ? record : undefined;
  }

  private async owned(viewer: Viewer, videoNo: string): Promise<VideoRecord> {
    const record = await this.find(viewer, videoNo);
    if (!record) throw videoNotFound(videoNo);
    return record;
  }

  private async current(record: VideoRecord, kind: TranscriptKind, signal?: AbortSignal): Promise<Transcript> {
    const answer = (state: TranscriptState, segments: TranscriptSegment[] = []): Transcript => ({
      videoNo: record.videoNo,
      kind,
      state,
      segments,
    });
    if (record.status === 'FAIL') return answer('UNAVAILABLE');
    if (record.status === 'UNPARSE') return answer('PENDING');
    const source = this.deps.mavi.transcripts;
    if (source.mode === 'read') {
      const segments = await source.read(record.videoNo, kind, record.partition, signal);
      return segments ? answer('READY', segments) : answer('UNAVAILABLE');
    }
    const taskNo = await this.taskNo(source, record.videoNo, kind);
    if (taskNo === undefined) return answer('PENDING');
    const segments = await source.fetch(taskNo, signal);
    return segments ? answer('READY', segments) : answer('PENDING');
  }

  /** MAVI's taskNo for the video's transcript of this kind, starting the task when there is none. */
  private async taskNo(
    source: Extract<TranscriptSource, { mode: 'task' }>,
    videoNo: string,
    kind: TranscriptKind,
  ): Promise<string | undefined> {
    const { records } = this.deps;
    const existing = parseTask(await records.get(taskKey(videoNo, kind)));
    if (existing?.taskNo) return existing.taskNo;
    if (existing) {
      const early = await records.get(doneKey(existing.taskId));
      if (early) return early; // the callback came before MAVI's answer, with the taskNo
      if (Date.now() - existing.claimedAt < STALE_CLAIM_MS) return undefined; // another request is starting it
    }
    const { uploadId: taskId, token } = this.deps.tokens.mint();
    const task: TaskRecord = { taskId, videoNo, kind, claimedAt: Date.now() };
    const claimed = existing
      ? (await records.set(taskKey(videoNo, kind), JSON.stringify(task), TASK_TTL_MS), true)
      : await records.add(taskKey(videoNo, kind), JSON.stringify(task), TASK_TTL_MS);
    if (!claimed) return undefined; // another request claimed it a moment ago
    await records.set(taskIdKey(taskId), JSON.stringify(task), TASK_TTL_MS);
    try {
      const taskNo = await source.start(videoNo, kind, this.deps.callbackUrlFor(token));
      await records.set(taskKey(videoNo, kind), JSON.stringify({ ...task, taskNo }), TASK_TTL_MS);
      this.deps.logger.info('transcription started', { videoNo, kind, taskNo });
      return taskNo;
    } catch (error) {
      await Promise.all([records.delete(taskKey(videoNo, kind)), records.delete(taskIdKey(taskId))]);
      throw error;
    }
  }
}

function parseTask(text: string | undefined): TaskRecord | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as TaskRecord;
  } catch {
    return undefined;
  }
}

/** The callback carries "the content inside data" of getTranscription; an envelope around it is tolerated. */
function callbackData(body: unknown): { videoNo?: unknown; status?: unknown; taskNo?: unknown } | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const fields = body as { data?: unknown; videoNo?: unknown };
  if (fields.videoNo === undefined && fields.data !== null && typeof fields.data === 'object') {
    return fields.data as { videoNo?: unknown };
  }
  return fields;
}
