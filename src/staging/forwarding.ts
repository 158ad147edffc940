/**
 * The forwarding job: a finished resumable upload's staged file goes to MAVI
 * through the same registration as `uploadVideo` (tokens, ownership, status
 * tracking, metadata), with its exact size.
 *
 * The job lives in the ledger, not in this process: a worker claims it with a
 * lease (ledger.claimDue) and renews the lease while it works. If the instance
 * dies mid-way (kill -9), MAVI gets a cut body and registers nothing; the lease
 * runs out (or, on one instance, is released when DATA_DIR is reopened) and a
 * worker, here or on another instance, forwards the file again from its first
 * byte.
 *
 * MAVI's transient refusals (MAVI_BUSY, MAVI_UNAVAILABLE, the upload pace) are
 * retried with backoff until the upload's retry window (STAGED_UPLOAD_EXPIRY_MS
 * after its last byte) ends; a permanent refusal is final at once. Either way,
 * once the outcome is final the staged bytes are removed.
 */
import { pipeline, Transform } from 'node:stream';
import { GraphQLError } from 'graphql';
import { errorRegistry, type ErrorCode } from '../errors.js';
import { Pauses } from '../events/pauses.js';
import type { Logger } from '../logger.js';
import type { UploadMetadata } from '../mavi/api.js';
import type { UploadPace } from '../upload/upload-pace.js';
import type { Uploads } from '../upload/upload-video.js';
import type { StagedUpload } from './staged-upload.js';
import type { StagingService } from './staging-service.js';
import type { StagingStore } from './staging-store.js';

/** A claimed job's lease: renewed every third of it while the worker lives. */
const LEASE_MS = 30_000;
/** Backoff between attempts: doubling from the first, up to the last. */
const FIRST_RETRY_MS = 1_000;
const LAST_RETRY_MS = 5 * 60_000;
/** REGISTERED and FAILED records are kept this long, for clients that ask late. */
const FINISHED_RECORD_MS = 24 * 60 * 60_000;
/** An unexpected failure (not a refusal with a code) is retried this many times at most. */
const UNEXPECTED_ATTEMPTS = 5;
/** Progress while forwarding is published at most this often. */
const PROGRESS_EVERY_MS = 250;

export interface ForwardingDeps {
  /** The uploads' records: every change stored and announced in one call. */
  service: StagingService;
  staging: StagingStore;
  uploads: Uploads;
  pace: UploadPace | undefined;
  logger: Logger;
  /** Workers on this instance: files forwarded at once. */
  workers: number;
  /** How often an idle worker looks for jobs other instances queued (it is woken at once for this instance's own). */
  idlePollMs: number;
}

export class Forwarding {
  private stopping = false;
  private readonly running = new Set<Promise<void>>();
  /** Aborts the files being sent now (at stop). */
  private readonly inFlight = new Set<AbortController>();
  /** The idle workers' wake-ups. */
  private readonly idleWorkers = new Pauses();
  /** Wake-ups at the time of each retry this instance scheduled. */
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  /** A wake-up came while no worker was idle: the next to idle looks again at once. */
  private wokenMeanwhile = false;

  constructor(private readonly deps: ForwardingDeps) {}

  start(): void {
    for (let worker = 0; worker < this.deps.workers; worker += 1) {
      const loop = this.work();
      this.running.add(loop);
      void loop.finally(() => this.running.delete(loop));
    }
  }

  /** A job was queued: an idle worker looks now rather than at its next poll. */
  wake(): void {
    if (this.idleWorkers.wakeAll() === 0) this.wokenMeanwhile = true;
  }

  /** Stops claiming; a file being sent is cut (MAVI registers nothing) and its job is due again at once. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.wake();
    for (const controller of this.inFlight) controller.abort();
    await Promise.all(this.running);
  }

  private async work(): Promise<void> {
    const { service, logger, idlePollMs } = this.deps;
    while (!this.stopping) {
      let job: StagedUpload | undefined;
      try {
        job = await service.ledger.claimDue(Date.now(), Date.now() + LEASE_MS);
      } catch (error) {
        logger.warn('could not claim a forwarding job; trying again', { error });
      }
      if (job) {
        await this.forward(job).catch((error: unknown) => {
          logger.error('a forwarding job failed unexpectedly; it is retried once its lease ends', { error });
        });
        continue;
      }
      await this.idle(idlePollMs);
    }
  }

  /** Waits for a wake-up or the next poll, whichever comes first. */
  private idle(pollMs: number): Promise<void> {
    if (this.wokenMeanwhile) {
      this.wokenMeanwhile = false;
      return Promise.resolve();
    }
    return this.idleWorkers.for(pollMs);
  }

  private async forward(job: StagedUpload): Promise<void> {
    const { service, staging, uploads, pace, logger } = this.deps;
    const lease = setInterval(() => {
      service.ledger.extendLease(job.id, Date.now() + LEASE_MS).catch(() => undefined); // a lost renewal: the lease decides
    }, LEASE_MS / 3);
    const controller = new AbortController();
    this.inFlight.add(controller);
    const attempt: StagedUpload = { ...job, attempts: job.attempts + 1, bytesForwarded: 0 };
    /** Progress records are written one after another, and all of them before the outcome. */
    let progressWrites: Promise<unknown> = Promise.resolve();
    try {
      const paced = await pace?.take();
      if (paced !== undefined) {
        // Not an attempt: MAVI was not asked. The job waits for the pace's next turn.
        await this.retryLater(job, paced.code, paced.message, (paced.retryAfterSeconds ?? 1) * 1000);
        return;
      }
      // The attempt, and its progress below, are recorded as well as announced: a client that
      // asks (resumableUpload) sees what one that follows (resumableUploadProgress) sees.
      await service.startAttempt({ ...attempt, errorCode: undefined, errorMessage: undefined });
      const stream = await staging.read(job.id);
      const counted = countProgress((bytes) => {
        progressWrites = progressWrites.then(() =>
          // A lost progress record: the next one, or the outcome, follows.
          service.forwarded(attempt, bytes).catch(() => undefined),
        );
      });
      const onAbort = () => stream.destroy(new Error('the gateway is stopping'));
      controller.signal.addEventListener('abort', onAbort, { once: true });
      const record = await uploads.forwardStaged(
        // pipeline, not pipe: a staged stream destroyed (at stop, or by a read error) ends the body
        // MAVI reads with that error, instead of leaving it open for ever.
        {
          stream: pipeline(stream, counted, () => undefined),
          fileName: job.fileName,
          mimetype: job.fileType,
          size: job.length,
        },
        { ownerId: job.ownerId, partition: job.partition, names: job.names, passthrough: job.passthrough },
        parseMetadata(job.maviMetadata),
      );
      await progressWrites;
      await this.conclude({
        ...attempt,
        state: 'REGISTERED',
        bytesForwarded: job.length,
        videoNo: record.videoNo,
        errorCode: undefined,
        errorMessage: undefined,
      });
      logger.info('resumable upload forwarded to MAVI', { videoNo: record.videoNo, bytes: job.length });
    } catch (error) {
      await progressWrites;
      if (this.stopping) {
        await service.release(job).catch(() => undefined); // due again at once, here or elsewhere
        return;
      }
      const { code, message, unexpected } = describe(error, logger);
      const retryable = unexpected ? attempt.attempts < UNEXPECTED_ATTEMPTS : errorRegistry[code].retryable;
      if (retryable && Date.now() < job.expiresAt) {
        const waitMs = Math.min(FIRST_RETRY_MS * 2 ** (attempt.attempts - 1), LAST_RETRY_MS);
        await this.retryLater(attempt, code, message, waitMs);
        return;
      }
      await this.conclude({ ...attempt, state: 'FAILED', errorCode: code, errorMessage: message });
      logger.warn('a resumable upload failed for good', { code, attempts: attempt.attempts });
    } finally {
      clearInterval(lease);
      this.inFlight.delete(controller);
    }
  }

  /**
   * Records a final outcome (REGISTERED or FAILED), then removes the staged bytes, then tells
   * subscribers: once a client sees the outcome, nothing of the upload is staged.
   */
  private async conclude(upload: StagedUpload): Promise<void> {
    await this.deps.service.conclude(upload, Date.now() + FINISHED_RECORD_MS, {
      beforeTelling: () =>
        this.deps.staging.store.remove(upload.id).catch((error: unknown) => {
          this.deps.logger.warn('could not remove a finished upload from staging', { error });
        }),
    });
  }

  private async retryLater(job: StagedUpload, code: ErrorCode, message: string, waitMs: number): Promise<void> {
    await this.deps.service.retryAt(job, Date.now() + waitMs, code, message);
    this.deps.logger.info('a resumable upload waits to be forwarded again', { code, waitMs, attempts: job.attempts });
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.wake();
    }, waitMs);
    timer.unref();
    this.retryTimers.add(timer);
  }
}

/** Counts the bytes read from staging, reporting how many now and then. */
function countProgress(report: (bytesForwarded: number) => void): Transform {
  let sent = 0;
  let lastPublished = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sent += chunk.length;
      const now = Date.now();
      if (now - lastPublished >= PROGRESS_EVERY_MS) {
        lastPublished = now;
        report(sent);
      }
      callback(null, chunk);
    },
  });
}

/** A failure's code and client-facing message; anything unexpected is logged and masked. */
function describe(error: unknown, logger: Logger): { code: ErrorCode; message: string; unexpected: boolean } {
  const code = error instanceof GraphQLError ? error.extensions.code : undefined;
  if (typeof code === 'string' && code in errorRegistry) {
    return { code: code as ErrorCode, message: (error as GraphQLError).message, unexpected: false };
  }
  // Unexpected (reading staging failed, say): logged, masked, and retried a few times.
  logger.error('forwarding a resumable upload failed', { error });
  return { code: 'INTERNAL_SERVER_ERROR', message: errorRegistry.INTERNAL_SERVER_ERROR.message, unexpected: true };
}

function parseMetadata(json: string | undefined): UploadMetadata | undefined {
  if (json === undefined) return undefined;
  const parsed = JSON.parse(json) as UploadMetadata & { capturedAt?: string };
  return { ...parsed, capturedAt: parsed.capturedAt === undefined ? undefined : new Date(parsed.capturedAt) };
}
