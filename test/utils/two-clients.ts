/** Two client keys, for tests of what one client may see or do to another's videos. */
import { collect, uploadVideo, videoFile } from './multipart-client.js';

export const ALICE = 'client-key-aaaaaaaaaaaaaaaaaaaa';
export const BOB = 'client-key-bbbbbbbbbbbbbbbbbbbb';
export const asAlice = { authorization: `Bearer ${ALICE}` };
export const asBob = { authorization: `Bearer ${BOB}` };
/** The gateway's environment for them (GATEWAY_API_KEYS). */
export const TWO_CLIENT_KEYS = { GATEWAY_API_KEYS: `alice:${ALICE},bob:${BOB}` };

/** Uploads a small video as the client `headers` name; its videoNo. */
export async function uploadSmallVideo(graphqlUrl: string, headers: Record<string, string>): Promise<string> {
  const result = await uploadVideo(graphqlUrl, { content: await collect(videoFile(4096)), headers });
  return result.json.data.uploadVideo.videoNo;
}
