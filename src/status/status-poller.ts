/**
 * The polling fallback: asks MAVI for the status of videos still pending (how is
 * the API family's business: searchDB windows, or get_metadata per video), and
 * applies what it finds exactly like a callback. It polls
 *  - every pending video when MAVI cannot call back (no PUBLIC_URL), and
 *  - otherwise only videos that have had no news for `staleAfterMs`.
 * Requests per round are capped, and MAVI answering "busy" doubles the period
 * until it recovers.
 */
import { MaviError } from '../mavi/errors.js';
import type { MaviApi } from '../mavi/api.js';
import type { Logger } from '../logger.js';
import type { StatusService } from './status-service.js';
import type { VideoRecord } from './status-store.js';

/**
 * When rounds run: real timers, unless a test drives the rounds itself (one round per tick,
 * whatever the wall clock says). Answers how to cancel what it scheduled.
 */
export interface PollClock {
  schedule(round: () => void, delayMs: number): () => void;
}

const REAL_TIMERS: PollClock = {
  schedule(round, delayMs) {
    const timer = setTimeout(round, delayMs);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

export interface StatusPollerOptions {
  intervalMs: number;
  /** Real timers unless given (tests). */
  clock?: PollClock;
  /** Poll every pending video (true when MAVI cannot call back), or only stale ones. */
  pollAll: () => boolean;
  /** A video counts as stale after this long without news. Default: 4 intervals. */
  staleAfterMs?: number;
  /** The most requests one round may make. */
  maxRequestsPerRound?: number;
  /** The most videos one round considers. */
  maxVideosPerRound?: number;
  /** The longest period that backing off may reach. */
  maxBackoffMs?: number;
  /** Page size, for a family that pages (searchDB; MAVI's maximum is 200). */
  pageSize?: number;
}

export interface StatusPollerDeps {
  mavi: MaviApi;
  status: StatusService;
  logger: Logger;
  /** Decides which of the candidates this instance polls (several instances share the work). */
  claim?: (videoNos: string[]) => Promise<string[]>;
  /** Told how each round ended (the metrics count them). */
  onRound?: (outcome: 'ok' | 'busy' | 'failed') => void;
}

export class StatusPoller {
  private cancelNextRound: (() => void) | undefined;
  private periodMs: number;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly staleAfterMs: number;
  private readonly maxRequests: number;
  private readonly maxVideos: number;
  private readonly maxBackoffMs: number;
  private readonly pageSize: number | undefined;

  constructor(
    private readonly deps: StatusPollerDeps,
    private readonly options: StatusPollerOptions,
  ) {
    this.periodMs = options.intervalMs;
    this.staleAfterMs = options.staleAfterMs ?? options.intervalMs * 4;
    this.maxRequests = options.maxRequestsPerRound ?? 10;
    this.maxVideos = options.maxVideosPerRound ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? Math.max(options.intervalMs * 10, 300_000);
    this.pageSize = options.pageSize;
  }

  start(): void {
    this.schedule();
  }

  /** Milliseconds between rounds now: the interval, or longer while MAVI asks to back off. */
  get currentPeriodMs(): number {
    return this.periodMs;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelNextRound?.();
    await this.running;
  }

  /** One polling round: the due videos, looked up at MAVI, applied like callbacks. */
  async pollOnce(): Promise<void> {
    const candidates = await this.candidates();
    if (candidates.length === 0) return;
    const statuses = await this.deps.mavi.lookUpStatuses(
      candidates.map((video) => ({
        videoNo: video.videoNo,
        uploadTime: video.uploadTime,
        partition: video.partition,
      })),
      { maxRequests: this.maxRequests, pageSize: this.pageSize },
    );
    for (const [videoNo, status] of statuses) await this.deps.status.applyStatus(videoNo, status, Date.now());
  }

  private async candidates(): Promise<VideoRecord[]> {
    const pending = await this.deps.status.pending(this.maxVideos);
    const now = Date.now();
    const due = this.options.pollAll()
      ? pending
      : pending.filter((video) => now - video.updatedAt >= this.staleAfterMs);
    if (!this.deps.claim || due.length === 0) return due;
    const claimed = new Set(await this.deps.claim(due.map((video) => video.videoNo)));
    return due.filter((video) => claimed.has(video.videoNo));
  }

  private schedule(): void {
    if (this.stopped) return;
    const clock = this.options.clock ?? REAL_TIMERS;
    this.cancelNextRound = clock.schedule(() => {
      this.running = this.round().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, this.periodMs);
  }

  private async round(): Promise<void> {
    try {
      await this.pollOnce();
      this.periodMs = this.options.intervalMs;
      this.deps.onRound?.('ok');
    } catch (error) {
      const busy = error instanceof MaviError && error.code === 'MAVI_BUSY';
      this.deps.onRound?.(busy ? 'busy' : 'failed');
      if (busy) {
        this.periodMs = Math.min(this.periodMs * 2, this.maxBackoffMs);
        this.deps.logger.warn('MAVI is busy: polling backs off', { nextPollInMs: this.periodMs });
      } else {
        this.deps.logger.warn('status poll failed', { error });
      }
    }
  }
}
