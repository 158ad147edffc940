/**
 * Erasing an owner (`eraseOwner`, for the app's service key): every video of one user or client
 * key is deleted at MAVI (in the partition it lives in) and in the gateway, whose removal also
 * ends its live subscriptions (VIDEO_DELETED) and makes its video.deleted event.
 *
 * A durable job: its record is in the records store (SQLite or Redis), and a gateway that starts
 * resumes every job still RUNNING, so a restart or a crash in the middle finishes it. Running it
 * again does no harm: an owner has one running job, and a deletion MAVI already made counts as
 * made. A video MAVI refuses to delete does not stop the others; it is tried again in the next
 * rounds, and after MAX_ATTEMPTS the job ends FAILED, naming it. MAVI busy or away only delays
 * the job. With the videos go the owner's staged resumable uploads (each round, so one made
 * meanwhile goes too) and live analyses (stopped at MAVI), each deleted video's transcript
 * records, and, at the end, the owner's chat sessions and image library. It ends with owner.erased.
 */
import { randomUUID } from 'node:crypto';
import { Pauses } from '../events/pauses.js';
import type { Owner } from '../identity.js';
import type { Logger } from '../logger.js';
import type { MaviApi } from '../mavi/api.js';
import { MaviError } from '../mavi/errors.js';
import type { KeyValueStore } from '../kv/key-value-store.js';
import type { StatusService } from '../status/status-service.js';
import type { ListPosition, VideoRecord } from '../status/status-store.js';

type ErasureState = 'RUNNING' | 'DONE' | 'FAILED';

export interface ErasureRecord {
  id: string;
  owner: Owner;
  state: ErasureState;
  /** The videos deleted so far, at MAVI and here. */
  deleted: string[];
  /** Videos MAVI refused to delete, with the attempts made. */
  refused: Record<string, number>;
  /** Staged resumable uploads removed (absent in jobs begun before 0.4.0). */
  stagedUploadsDeleted?: number;
  /** Chat sessions forgotten, once the job ended. */
  chatSessionsDeleted?: number;
  /** Library images removed, once the job ended (absent in jobs begun before 0.5.0). */
  imagesDeleted?: number;
  /** Live analyses stopped (absent in jobs begun before 0.5.0). */
  liveAnalysesStopped?: number;
  createdAt: number;
  updatedAt: number;
}

export interface ErasureDeps {
  status: StatusService;
  mavi: MaviApi;
  records: KeyValueStore;
  logger: Logger;
  /** The owner's records beside its videos, erased with them. */
  leftovers: {
    /** Removes the owner's staged resumable uploads; undefined without resumable uploads. */
    stagedUploads: ((ownerId: string) => Promise<number>) | undefined;
    chatSessions(ownerId: string): Promise<number>;
    transcripts(videoNo: string): Promise<void>;
    /** Removes the owner's image library records. */
    images(ownerId: string): Promise<number>;
    /** Stops the owner's live analyses. */
    liveAnalyses(ownerId: string): Promise<number>;
  };
  /** Tells the app's backend that an erasure ended (owner.erased), once per job id. */
  announce(erasure: ErasureRecord): Promise<void>;
  /** How long a round waits after one that could not go on (MAVI or the store away). */
  retryMs?: number;
  /**
   * Whether other live instances share the records (Redis). Otherwise (SQLite, locked to this
   * process) a lease found at start is a dead process's, and is taken over at once.
   */
  shared: boolean;
}

const JOB_PREFIX = 'erasure:';
const OWNER_PREFIX = 'erasure-owner:';
const LEASE_PREFIX = 'erasure-lease:';
/** A job's record outlives it this long, for `erasure(id:)`. */
const RECORD_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** An instance working on a job holds it this long, renewed each round; a dead one's is taken over. */
const LEASE_MS = 60_000;
/** Rounds a video MAVI keeps refusing is tried in. */
const MAX_ATTEMPTS = 5;
/** Videos per round: MAVI's successor deletes at most 100 per request. */
const BATCH = 100;
const DEFAULT_RETRY_MS = 5_000;

export class Erasures {
  private readonly instance = randomUUID();
  private readonly running = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Rounds waiting to retry: stop() wakes them, so that a shutdown does not wait out a retry. */
  private readonly retries = new Pauses();

  constructor(private readonly deps: ErasureDeps) {}

  /** Starts erasing the owner, or answers the job already erasing it. */
  async begin(owner: Owner): Promise<ErasureRecord> {
    const { records } = this.deps;
    const fresh: ErasureRecord = {
      id: `erasure_${randomUUID().replaceAll('-', '')}`,
      owner: { ownerId: owner.ownerId, partition: owner.partition, names: owner.names },
      state: 'RUNNING',
      deleted: [],
      refused: {},
      createdAt: Date.now(),
      updatedAt: Date.now(),
    };
    if (!(await records.add(OWNER_PREFIX + owner.ownerId, fresh.id, RECORD_TTL_MS))) {
      const existing = await this.get((await records.get(OWNER_PREFIX + owner.ownerId)) ?? '');
      if (existing?.state === 'RUNNING') return existing;
      await records.set(OWNER_PREFIX + owner.ownerId, fresh.id, RECORD_TTL_MS);
    }
    await this.save(fresh);
    this.run(fresh.id);
    return fresh;
  }

  async get(id: string): Promise<ErasureRecord | undefined> {
    const text = await this.deps.records.get(JOB_PREFIX + id);
    return text === undefined ? undefined : (JSON.parse(text) as ErasureRecord);
  }

  /** Resumes the jobs left running (a restart, another instance gone), now and every lease period. */
  start(): void {
    const resume = async () => {
      const keys = await this.deps.records.keys(JOB_PREFIX, 1_000).catch(() => []);
      for (const key of keys) {
        const job = await this.get(key.slice(JOB_PREFIX.length)).catch(() => undefined);
        if (job?.state === 'RUNNING') this.run(job.id);
      }
    };
    const releaseDeadLeases = async () => {
      if (this.deps.shared) return;
      for (const key of await this.deps.records.keys(LEASE_PREFIX, 1_000).catch(() => [])) {
        await this.deps.records.delete(key).catch(() => undefined);
      }
    };
    void releaseDeadLeases().then(resume);
    this.timer = setInterval(() => void resume(), LEASE_MS).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.retries.wakeAll();
    await Promise.all(this.running.values());
  }

  /** Works on a job until it ends, unless this instance or another already does. */
  private run(id: string): void {
    if (this.running.has(id) || this.stopped) return;
    const work = this.work(id)
      .catch((error: unknown) => this.deps.logger.warn('erasure round failed; retried', { id, error: String(error) }))
      .finally(() => this.running.delete(id));
    this.running.set(id, work);
  }

  private async work(id: string): Promise<void> {
    const { records } = this.deps;
    if (!(await records.add(LEASE_PREFIX + id, this.instance, LEASE_MS))) {
      if ((await records.get(LEASE_PREFIX + id)) !== this.instance) return; // another instance has it
    }
    try {
      while (!this.stopped) {
        await records.set(LEASE_PREFIX + id, this.instance, LEASE_MS);
        const job = await this.get(id);
        if (job?.state !== 'RUNNING') return;
        const progressed = await this.round(job).catch((error: unknown) => {
          this.deps.logger.warn('erasure round could not finish; retried', { id, error: String(error) });
          return false;
        });
        if (!progressed && !this.stopped) await this.retries.for(this.deps.retryMs ?? DEFAULT_RETRY_MS);
      }
    } finally {
      await records.delete(LEASE_PREFIX + id).catch(() => undefined);
    }
  }

  /** One batch of the owner's videos; false when the round could not go on. */
  private async round(job: ErasureRecord): Promise<boolean> {
    const { status, leftovers } = this.deps;
    // Staged uploads first: none of them reaches MAVI as a video the job would then miss.
    const staged = (await leftovers.stagedUploads?.(job.owner.ownerId)) ?? 0;
    // Live analyses too: each spends the operator's credits every 5 s, and one started meanwhile goes too.
    const stopped = await leftovers.liveAnalyses(job.owner.ownerId);
    if (staged > 0 || stopped > 0) {
      job.stagedUploadsDeleted = (job.stagedUploadsDeleted ?? 0) + staged;
      job.liveAnalysesStopped = (job.liveAnalysesStopped ?? 0) + stopped;
      await this.save(job);
    }
    const { batch, remaining } = await this.nextBatch(job);
    if (batch.length === 0) return this.finish(job, remaining ? 'FAILED' : 'DONE');
    const deleted = await this.deleteAtMavi(batch, job);
    for (const videoNo of deleted) {
      await leftovers.transcripts(videoNo);
      await status.remove(videoNo);
    }
    job.deleted.push(...deleted);
    job.updatedAt = Date.now();
    await this.save(job);
    return deleted.length > 0;
  }

  /**
   * The owner's next videos to delete, past those given up on (however many pages of them there
   * are), and whether any video of the owner is left at all.
   */
  private async nextBatch(job: ErasureRecord): Promise<{ batch: VideoRecord[]; remaining: boolean }> {
    const givenUp = (videoNo: string) => (job.refused[videoNo] ?? 0) >= MAX_ATTEMPTS;
    let after: ListPosition | undefined;
    let remaining = false;
    for (;;) {
      const page = await this.deps.status.listVideos({ owners: { ownerId: job.owner.ownerId }, after, limit: BATCH });
      remaining ||= page.records.length > 0;
      const batch = page.records.filter((record) => !givenUp(record.videoNo));
      if (batch.length > 0 || page.next === undefined) return { batch, remaining };
      after = page.next;
    }
  }

  /**
   * Deletes a batch at MAVI, by partition. When MAVI refuses a batch (MAVI_REJECTED), each video is
   * tried alone, so that one refusal stops no other; any other failure (MAVI busy or away) ends
   * the round, counting against no video, and the round is tried again.
   */
  private async deleteAtMavi(batch: VideoRecord[], job: ErasureRecord): Promise<string[]> {
    const byPartition = new Map<string, string[]>();
    for (const { videoNo, partition } of batch) {
      byPartition.set(partition, [...(byPartition.get(partition) ?? []), videoNo]);
    }
    const deleted: string[] = [];
    for (const [partition, videoNos] of byPartition) {
      if (await this.refusedByMavi(() => this.deps.mavi.deleteVideos(videoNos, partition))) {
        for (const videoNo of videoNos) {
          if (await this.refusedByMavi(() => this.deps.mavi.deleteVideos([videoNo], partition))) {
            job.refused[videoNo] = (job.refused[videoNo] ?? 0) + 1;
            this.deps.logger.warn('MAVI refused to delete a video being erased; tried again', {
              id: job.id,
              videoNo,
              attempts: job.refused[videoNo],
            });
          } else deleted.push(videoNo);
        }
      } else deleted.push(...videoNos);
    }
    return deleted;
  }

  /** Runs a deletion: true when MAVI refused it; any other failure is thrown (the round ends). */
  private async refusedByMavi(deletion: () => Promise<void>): Promise<boolean> {
    try {
      await deletion();
      return false;
    } catch (error) {
      if (error instanceof MaviError && error.code === 'MAVI_REJECTED') return true;
      throw error;
    }
  }

  private async finish(job: ErasureRecord, state: 'DONE' | 'FAILED'): Promise<boolean> {
    const chatSessionsDeleted = await this.deps.leftovers.chatSessions(job.owner.ownerId);
    const imagesDeleted = (job.imagesDeleted ?? 0) + (await this.deps.leftovers.images(job.owner.ownerId));
    const ended = { ...job, state, updatedAt: Date.now(), chatSessionsDeleted, imagesDeleted };
    // Announced before it is marked ended: a crash in between announces again (once per id).
    await this.deps.announce(ended);
    await this.save(ended);
    this.deps.logger.info('erasure ended', {
      id: job.id,
      state,
      videosDeleted: job.deleted.length,
      stagedUploadsDeleted: job.stagedUploadsDeleted ?? 0,
      chatSessionsDeleted,
      imagesDeleted,
      liveAnalysesStopped: job.liveAnalysesStopped ?? 0,
    });
    return true;
  }

  private save(job: ErasureRecord): Promise<void> {
    return this.deps.records.set(JOB_PREFIX + job.id, JSON.stringify(job), RECORD_TTL_MS);
  }
}
