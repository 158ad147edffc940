/**
 * What a client does with its videos beyond uploading them, always limited to its
 * own: another client's video is treated exactly like an unknown one. Lists are
 * answered from the gateway's store; details, search and deletion go to MAVI.
 */
import { clientPartition, inScope, listScope, type Viewer } from '../identity.js';
import DataLoader from 'dataloader';
import { gatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { MaviApi, VideoDetails } from '../mavi/api.js';
import type { StatusService } from '../status/status-service.js';
import type { ListPosition, VideoListPage, VideoRecord } from '../status/status-store.js';
import type { VideoStatus } from '../mavi/types.js';
import type { CostControl } from '../limits/cost-control.js';
import { canSee, videoNotFound } from './ownership.js';

/** The most videos one deleteVideos call takes (MAVI's successor deletes at most 100 per request). */
export const MAX_DELETE_VIDEOS = 100;
/** Page sizes of lists and searches. */
export const MAX_PAGE_SIZE = 100;
/** The most videos a clip search may be limited to (MAVI's successor takes 100). */
export const MAX_SEARCH_VIDEOS = 100;
/** The longest search query taken. */
export const MAX_QUERY_CHARS = 1000;

export interface VideoLibraryDeps {
  mavi: MaviApi;
  status: StatusService;
  cost: CostControl;
  logger: Logger;
}

export interface VideoListRequest {
  first: number;
  after?: ListPosition;
  status?: VideoStatus;
  nameContains?: string;
  /** Only this owner's videos (`videos(owner:)`): within what the caller sees, else none. */
  ownerId?: string;
}

export interface FoundVideo {
  record: VideoRecord;
  score: number | undefined;
}

export interface FoundClip {
  record: VideoRecord;
  startSeconds: number;
  endSeconds: number;
  score: number | undefined;
}

export interface ClipSearchRequest {
  query: string;
  videoNos: readonly string[];
  first: number;
  minScore: number | undefined;
  /** Aborts MAVI's search when the client leaves. */
  signal?: AbortSignal;
}

/** How many of MAVI's hits are looked up at once while filling a page with the caller's own. */
const OWNERSHIP_BATCH = 32;

export class VideoLibrary {
  constructor(private readonly deps: VideoLibraryDeps) {}

  /** The caller's videos, newest first, from the store (no MAVI call). */
  async listVideos(viewer: Viewer, request: VideoListRequest): Promise<VideoListPage> {
    checkPageSize(request.first);
    const scope = listScope(viewer);
    const { ownerId } = request;
    // Another owner's videos, asked by one who may not see them, are answered as none.
    if (ownerId !== undefined && !inScope(scope, ownerId)) return { records: [] };
    return this.deps.status.listVideos({
      owners: ownerId === undefined ? scope : { ownerId },
      after: request.after,
      limit: request.first,
      status: request.status,
      nameContains: request.nameContains,
    });
  }

  /** The caller's video, or undefined when it is unknown or another client's. */
  async findOwned(viewer: Viewer, videoNo: string): Promise<VideoRecord | undefined> {
    const record = await this.deps.status.get(videoNo);
    return record && canSee(viewer, record) ? record : undefined;
  }

  /** The caller's videos, in the order asked; VIDEO_NOT_FOUND names the first that is not one of them. */
  async requireOwned(viewer: Viewer, videoNos: readonly string[]): Promise<VideoRecord[]> {
    const records = await Promise.all(videoNos.map((videoNo) => this.findOwned(viewer, videoNo)));
    const missing = records.findIndex((record) => record === undefined);
    if (missing >= 0) throw videoNotFound(videoNos[missing]!);
    return records as VideoRecord[];
  }

  /**
   * Loads what MAVI knows of videos (duration, size, …), batched: one loader per
   * GraphQL request, so that a page of videos asking for details costs one round
   * of MAVI calls, and no video is asked for twice.
   */
  detailsLoader(signal?: AbortSignal): DetailsLoader {
    return new DetailsLoader(this, signal);
  }

  /** The batch behind a DetailsLoader, made at its first load. */
  batchDetails(signal: AbortSignal | undefined): DataLoader<VideoRecord, VideoDetails | null, string> {
    return new DataLoader(
      async (records) => {
        const found = await this.deps.mavi.lookUpDetails(
          records.map((record) => ({
            videoNo: record.videoNo,
            uploadTime: record.uploadTime,
            partition: record.partition,
          })),
          // The original family may need a page per time window; the successor one call per video.
          { maxRequests: 2 * records.length + 1, signal },
        );
        return records.map((record) => found.get(record.videoNo) ?? null);
      },
      { cacheKeyFn: (record) => record.videoNo, maxBatchSize: MAX_PAGE_SIZE },
    );
  }

  /**
   * The caller's videos matching a natural-language query, best first. The
   * successor family searches the caller's partition only; the original family
   * searches the whole account, so its hits are filtered to the caller's videos
   * (more are asked for, to fill the page).
   */
  async searchVideos(viewer: Viewer, query: string, first: number, signal?: AbortSignal): Promise<FoundVideo[]> {
    const { ownerId } = viewer;
    checkQuery(query);
    checkPageSize(first);
    await this.deps.cost.spend('search', ownerId);
    const { searchesWholeAccount } = this.deps.mavi.capabilities;
    const wanted = searchesWholeAccount ? Math.min(200, first * 4) : first;
    const hits = await this.deps.mavi.searchVideos(query, viewer.partition, wanted, signal);
    const owned = await this.ownedOnly(viewer, hits, first);
    return owned.map(({ hit, record }) => ({ record, score: hit.score }));
  }

  /** Moments in the caller's videos (all, or those named) matching a query, best first. */
  async searchClips(viewer: Viewer, request: ClipSearchRequest): Promise<FoundClip[]> {
    const { ownerId } = viewer;
    checkQuery(request.query);
    checkPageSize(request.first);
    const videoNos = [...new Set(request.videoNos)];
    if (videoNos.length > MAX_SEARCH_VIDEOS) {
      throw gatewayError(
        'INVALID_INPUT',
        `At most ${MAX_SEARCH_VIDEOS} videos may be searched at once; got ${videoNos.length}.`,
      );
    }
    const { searchesWholeAccount, clipScores } = this.deps.mavi.capabilities;
    if (request.minScore !== undefined && !clipScores) {
      throw gatewayError(
        'INVALID_INPUT',
        `minScore cannot apply: the ${this.deps.mavi.family} MAVI family gives clips no score.`,
      );
    }
    const named = await this.requireOwned(viewer, videoNos);
    // Named videos are searched where they live (refused before the budget is spent); otherwise the caller's partition.
    const partition = named.length > 0 ? onePartition(named) : viewer.partition;
    await this.deps.cost.spend('search', ownerId);
    const limit = searchesWholeAccount && videoNos.length === 0 ? Math.min(200, request.first * 4) : request.first;
    const hits = await this.deps.mavi.searchClips({
      query: request.query,
      videoNos,
      limit,
      partition,
      signal: request.signal,
    });
    const scored = hits.filter((hit) => request.minScore === undefined || (hit.score ?? 0) >= request.minScore);
    const owned = await this.ownedOnly(viewer, scored, request.first);
    return owned.map(({ hit, record }) => ({
      record,
      startSeconds: hit.startSeconds,
      endSeconds: hit.endSeconds,
      score: hit.score,
    }));
  }

  /**
   * Deletes the caller's videos among `videoNos`: at MAVI first (within the caller's
   * partition), then here, which ends their open subscriptions with VIDEO_DELETED.
   * Unknown videos and other clients' are skipped alike, so a repeat is harmless.
   * Answers the videoNos that were deleted. When MAVI refuses, nothing is deleted here.
   */
  async deleteVideos(viewer: Viewer, videoNos: readonly string[]): Promise<string[]> {
    const unique = [...new Set(videoNos)];
    if (unique.length > MAX_DELETE_VIDEOS) {
      throw gatewayError(
        'INVALID_INPUT',
        `At most ${MAX_DELETE_VIDEOS} videos may be deleted at once; got ${unique.length}.`,
      );
    }
    const records = await Promise.all(unique.map((videoNo) => this.findOwned(viewer, videoNo)));
    const owned = records.filter((record) => record !== undefined);
    if (owned.length === 0) return [];
    // Each video is deleted in the partition it lives in (one call per partition).
    const byPartition = new Map<string, string[]>();
    for (const { partition, videoNo } of owned)
      byPartition.set(partition, [...(byPartition.get(partition) ?? []), videoNo]);
    for (const [partition, inPartition] of byPartition) await this.deps.mavi.deleteVideos(inPartition, partition);
    const deleted: string[] = [];
    for (const { videoNo } of owned) if (await this.deps.status.remove(videoNo)) deleted.push(videoNo);
    this.deps.logger.info('videos deleted', { count: deleted.length, client: clientPartition(viewer.ownerId) });
    return deleted;
  }

  /**
   * The first `first` hits on the caller's own videos, with their records, in
   * MAVI's order. Hits are looked up a batch at a time and no further than the
   * page needs: the work is bounded by `first`, not by the size of MAVI's answer.
   */
  private async ownedOnly<Hit extends { videoNo: string }>(
    viewer: Viewer,
    hits: readonly Hit[],
    first: number,
  ): Promise<{ hit: Hit; record: VideoRecord }[]> {
    const found: { hit: Hit; record: VideoRecord }[] = [];
    const records = new Map<string, VideoRecord | undefined>();
    for (let at = 0; at < hits.length && found.length < first; at += OWNERSHIP_BATCH) {
      const batch = hits.slice(at, at + OWNERSHIP_BATCH);
      const unknown = [...new Set(batch.map((hit) => hit.videoNo))].filter((videoNo) => !records.has(videoNo));
      const looked = await Promise.all(unknown.map((videoNo) => this.findOwned(viewer, videoNo)));
      unknown.forEach((videoNo, index) => records.set(videoNo, looked[index]));
      for (const hit of batch) {
        const record = records.get(hit.videoNo);
        if (record && found.length < first) found.push({ hit, record });
      }
    }
    return found;
  }
}

/**
 * The one partition the videos live in, for a call that names several of them at once (a
 * chat, a clip search). Videos uploaded before MAVI_PARTITION changed live elsewhere: MAVI
 * cannot take them in one call with the others.
 */
export function onePartition(records: readonly VideoRecord[]): string {
  const partitions = new Set(records.map((record) => record.partition));
  if (partitions.size > 1) {
    throw gatewayError(
      'INVALID_INPUT',
      'These videos live in different partitions at MAVI (MAVI_PARTITION changed between their uploads): ask about them apart.',
    );
  }
  return records[0]!.partition;
}

function checkPageSize(first: number): void {
  const problem = pageSizeProblem(first);
  if (problem !== undefined) throw gatewayError('INVALID_INPUT', problem);
}

function checkQuery(query: string): void {
  const problem = textQueryProblem(query, 'query');
  if (problem !== undefined) throw gatewayError('INVALID_INPUT', problem);
}

/** Why `first` is not a page size this gateway takes (1 to MAX_PAGE_SIZE), or undefined. */
export function pageSizeProblem(first: number): string | undefined {
  return Number.isInteger(first) && first >= 1 && first <= MAX_PAGE_SIZE
    ? undefined
    : `first must be from 1 to ${MAX_PAGE_SIZE}; got ${first}.`;
}

/** Why a search's text (its query, a prompt: `what`) is not taken (empty, or over MAX_QUERY_CHARS), or undefined. */
export function textQueryProblem(text: string, what: string): string | undefined {
  if (text.trim() === '') return `The ${what} is empty.`;
  if (text.length > MAX_QUERY_CHARS) {
    return `The ${what} has ${text.length} characters; at most ${MAX_QUERY_CHARS} are taken.`;
  }
  return undefined;
}

/**
 * One request's loader of video details. Its DataLoader is made at the first load: most
 * operations load none, and a subscription's context lives as long as the subscription
 * (a DataLoader and its closures are about 0.4 KiB per idle subscription).
 */
export class DetailsLoader {
  private batch: DataLoader<VideoRecord, VideoDetails | null, string> | undefined;

  constructor(
    private readonly library: VideoLibrary,
    private readonly signal: AbortSignal | undefined,
  ) {}

  load(record: VideoRecord): Promise<VideoDetails | null> {
    return (this.batch ??= this.library.batchDetails(this.signal)).load(record);
  }
}
