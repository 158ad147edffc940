/** Shapes of MAVI's v1 API, as documented in shared/mavi-api.md. */

/** A video's processing status. PARSE and FAIL are terminal. */
export const videoStatuses = ['UNPARSE', 'PARSE', 'FAIL'] as const;
export type VideoStatus = (typeof videoStatuses)[number];

export function isVideoStatus(value: unknown): value is VideoStatus {
  return typeof value === 'string' && (videoStatuses as readonly string[]).includes(value);
}

/** Every JSON answer from MAVI. `code` is a string; "0000" is success, whatever the HTTP status. */
export interface MaviEnvelope<Data> {
  code: string;
  msg: string;
  data: Data;
}

/** `data` of a successful upload. */
export interface MaviUploadedVideo {
  videoNo: string;
  videoName: string;
  videoStatus: VideoStatus;
  /** Epoch milliseconds, as a string. */
  uploadTime: string;
}

/** One row of `searchDB`. */
export interface MaviListedVideo extends MaviUploadedVideo {
  duration?: number | string;
}

export interface MaviVideoPage {
  page: number;
  current: number;
  total: number;
  pageSize: number;
  videoData: MaviListedVideo[];
}

/** The JSON body MAVI POSTs to a callBackUri. */
export interface MaviCallback {
  videoNo: string;
  clientId: string;
  status: VideoStatus;
}

export const MAVI_SUCCESS = '0000';
export const MAVI_BUSY_CODE = '0429';
export const MAVI_FORBIDDEN_CODE = '403';
