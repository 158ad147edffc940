/**
 * What a client does with its videos beyond uploading them, always limited to its
 * own: another client's video is treated exactly like an unknown one.
 */
import { partitionOf } from '../auth/client-keys.js';
import { gatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { MaviApi } from '../mavi/api.js';
import type { StatusService } from '../status/status-service.js';

/** The most videos one deleteVideos call takes (MAVI's successor deletes at most 100 per request). */
export const MAX_DELETE_VIDEOS = 100;

export interface VideoLibraryDeps {
  mavi: MaviApi;
  status: StatusService;
  logger: Logger;
}

export class VideoLibrary {
  constructor(private readonly deps: VideoLibraryDeps) {}

  /**
   * Deletes the caller's videos among `videoNos`: at MAVI first (within the caller's
   * partition), then here, which ends their open subscriptions with VIDEO_DELETED.
   * Unknown videos and other clients' are skipped alike, so a repeat is harmless.
   * Answers the videoNos that were deleted. When MAVI refuses, nothing is deleted here.
   */
  async deleteVideos(ownerId: string, videoNos: readonly string[]): Promise<string[]> {
    const unique = [...new Set(videoNos)];
    if (unique.length > MAX_DELETE_VIDEOS) {
      throw gatewayError(
        'INVALID_INPUT',
        `At most ${MAX_DELETE_VIDEOS} videos may be deleted at once; got ${unique.length}.`,
      );
    }
    const records = await Promise.all(unique.map((videoNo) => this.deps.status.get(videoNo)));
    const owned = unique.filter((_, index) => records[index]?.ownerId === ownerId);
    if (owned.length === 0) return [];
    await this.deps.mavi.deleteVideos(owned, partitionOf(ownerId));
    const deleted: string[] = [];
    for (const videoNo of owned) if (await this.deps.status.remove(videoNo)) deleted.push(videoNo);
    this.deps.logger.info('videos deleted', { count: deleted.length, client: partitionOf(ownerId) });
    return deleted;
  }
}
