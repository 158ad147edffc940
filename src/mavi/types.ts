/** Shapes shared by both MAVI API families (docs/memories-api.md). */

/** A video's processing status, as the gateway keeps it. PARSE and FAIL are terminal. */
export const videoStatuses = ['UNPARSE', 'PARSE', 'FAIL'] as const;
export type VideoStatus = (typeof videoStatuses)[number];

export function isVideoStatus(value: unknown): value is VideoStatus {
  return typeof value === 'string' && (videoStatuses as readonly string[]).includes(value);
}

/** Every spelling MAVI uses for a failed video (FAIL in callbacks, FAILED in lists, PARSE_ERROR on the code page). */
const FAILURE_SPELLINGS = new Set(['FAIL', 'FAILED', 'PARSE_ERROR', 'ERROR']);

/**
 * A status as MAVI spelled it, in the gateway's terms. An unknown spelling counts
 * as still processing (UNPARSE), which never changes a video's state; `known`
 * says so, for the caller to log.
 */
export function normalizeStatus(raw: string): { status: VideoStatus; known: boolean } {
  const upper = raw.toUpperCase();
  if (FAILURE_SPELLINGS.has(upper)) return { status: 'FAIL', known: true };
  if (upper === 'PARSE' || upper === 'UNPARSE') return { status: upper, known: true };
  return { status: 'UNPARSE', known: false };
}

/** What the gateway keeps of MAVI's answer to an upload. */
export interface MaviUploadedVideo {
  videoNo: string;
  videoName: string;
  videoStatus: VideoStatus;
  /** Epoch milliseconds. */
  uploadTime: number;
}
