/** Makes the upstream client for the configured MAVI API family. */
import type { MaviApi, MaviFamily } from './api.js';
import { createMaviHttp, type MaviHttpOptions } from './http.js';
import { liveStreams } from './live-streams.js';
import { originalApi } from './original-api.js';
import { normalizeStatus, type VideoStatus } from './types.js';
import { v1Api } from './v1-api.js';

export interface MaviApiOptions extends MaviHttpOptions {
  family: MaviFamily;
  /** The live-stream host (MAVI_STREAM_BASE_URL), for a family whose key reaches it; MAVI's own unless given. */
  streamBaseUrl?: string;
  /** Told about a status spelling MAVI used that the gateway does not know. */
  onUnknownStatus?: (status: string) => void;
}

export function createMaviApi(options: MaviApiOptions): MaviApi {
  const http = createMaviHttp(options);
  // Both families read MAVI's status spellings the same way, and report the unknown ones.
  const statusOf = (raw: string): VideoStatus => {
    const { status, known } = normalizeStatus(raw);
    if (!known) options.onUnknownStatus?.(raw);
    return status;
  };
  if (options.family !== 'v1') return originalApi(http, statusOf);
  // The successor's key also reaches the stream host: one more client, on its own origin.
  const streamHttp = createMaviHttp({ ...options, baseUrl: options.streamBaseUrl ?? 'https://stream.memories.ai' });
  return v1Api(http, statusOf, liveStreams(streamHttp));
}
