/**
 * The polling fallback: asks MAVI's searchDB for videos still pending, and
 * applies what it finds exactly like a callback. It polls
 *  - every pending video when MAVI cannot call back (no PUBLIC_URL), and
 *  - otherwise only videos that have had no news for `staleAfterMs`.
 * searchDB filters by upload time, so each video is looked up in a window
 * around its uploadTime; overlapping windows are merged into one query and
 * paged through. Requests per round are capped, and MAVI answering "busy"
 * doubles the period until it recovers.
 */
import { MaviError } from '../mavi/errors.js';
import type { MaviClient } from '../mavi/client.js';
import type { Logger } from '../logger.js';
import type { StatusService } from './status-service.js';
import type { VideoRecord } from './status-store.js';

export interface StatusPollerOptions {
  intervalMs: number;
  /** Poll every pending video (true when MAVI cannot call back), or only stale ones. */
  pollAll: () => boolean;
  /** A video counts as stale after this long without news. Default: 4 intervals. */
  staleAfterMs?: number;
  /** How far around a video's uploadTime to search (MAVI's clock decides both). */
  windowMs?: number;
  /** The most searchDB requests one round may make. */
  maxRequestsPerRound?: number;
  /** The most videos one round considers. */
  maxVideosPerRound?: number;
  /** The longest period that backing off may reach. */
  maxBackoffMs?: number;
  /** searchDB page size (MAVI's maximum is 200). */
  pageSize?: number;
}

export interface StatusPollerDeps {
  mavi: MaviClient;
  status: StatusService;
  logger: Logger;
  /** Decides which of the candidates this instance polls (several instances share the work). */
  claim?: (videoNos: string[]) => Promise<string[]>;
}

export class StatusPoller {
  private timer: NodeJS.Timeout | undefined;
  private periodMs: number;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly staleAfterMs: number;
  private readonly windowMs: number;
  private readonly maxRequests: number;
  private readonly maxVideos: number;
  private readonly maxBackoffMs: number;
  private readonly pageSize: number;

  constructor(
    private readonly deps: StatusPollerDeps,
    private readonly options: StatusPollerOptions,
  ) {
    this.periodMs = options.intervalMs;
    this.staleAfterMs = options.staleAfterMs ?? options.intervalMs * 4;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxRequests = options.maxRequestsPerRound ?? 10;
    this.maxVideos = options.maxVideosPerRound ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? Math.max(options.intervalMs * 10, 300_000);
    this.pageSize = options.pageSize ?? 200;
  }

  start(): void {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One polling round: the due videos, looked up window by window, applied like callbacks. */
  async pollOnce(): Promise<void> {
    const candidates = await this.candidates();
    if (candidates.length === 0) return;

    let requests = 0;
    for (const window of mergeWindows(candidates, this.windowMs)) {
      const wanted = new Map(window.videos.map((video) => [video.videoNo, video]));
      for (let page = 1; wanted.size > 0; page += 1) {
        if (requests >= this.maxRequests) return;
        requests += 1;
        const result = await this.deps.mavi.listVideos({
          startTime: window.start,
          endTime: window.end,
          page,
          pageSize: this.pageSize,
        });
        for (const row of result.videoData) {
          if (!wanted.delete(row.videoNo)) continue;
          await this.deps.status.applyStatus(row.videoNo, row.videoStatus, Date.now());
        }
        if (result.videoData.length < this.pageSize || page * this.pageSize >= result.total) break;
      }
    }
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
    this.timer = setTimeout(() => {
      this.running = this.round().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, this.periodMs);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    try {
      await this.pollOnce();
      this.periodMs = this.options.intervalMs;
    } catch (error) {
      if (error instanceof MaviError && error.code === 'MAVI_BUSY') {
        this.periodMs = Math.min(this.periodMs * 2, this.maxBackoffMs);
        this.deps.logger.warn('MAVI is busy: polling backs off', { nextPollInMs: this.periodMs });
      } else {
        this.deps.logger.warn('status poll failed', { error });
      }
    }
  }
}

interface Window {
  start: number;
  end: number;
  videos: VideoRecord[];
}

/** One searchDB window per cluster of upload times. */
function mergeWindows(videos: readonly VideoRecord[], marginMs: number): Window[] {
  const sorted = [...videos].sort((a, b) => a.uploadTime - b.uploadTime);
  const windows: Window[] = [];
  for (const video of sorted) {
    const last = windows.at(-1);
    if (last && video.uploadTime - marginMs <= last.end) {
      last.end = video.uploadTime + marginMs;
      last.videos.push(video);
    } else {
      windows.push({ start: video.uploadTime - marginMs, end: video.uploadTime + marginMs, videos: [video] });
    }
  }
  return windows;
}
