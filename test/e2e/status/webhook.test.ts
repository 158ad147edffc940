/**
 * The callback route: only a well-formed callback, with the token of its own
 * upload, changes state and emits an event; everything else gets a 4xx that names
 * the problem and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoDocument, VideoStatusDocument } from '../../generated/operations.js';
import { postGraphQL, subscribeWs, wsClient } from '../../utils/graphql-clients.js';
import { collect, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { startStack, type Stack } from '../../utils/stack.js';

let stack: Stack;
let videoNo: string;
let callbackUri: string;

beforeAll(async () => {
  stack = await startStack({ simulator: { manualCallbacks: true } });
  const result = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)) });
  videoNo = result.json.data.uploadVideo.videoNo;
  callbackUri = stack.simulator.videos.get(videoNo)!.callbackUri!;
});
afterAll(() => stack.stop());

async function post(url: string, body: string, init: RequestInit = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    ...init,
  });
  const text = await response.text();
  return { status: response.status, text, json: text ? JSON.parse(text) : undefined, headers: response.headers };
}

const callback = (fields: Record<string, unknown>) =>
  JSON.stringify({ videoNo, clientId: 'd7a7427b502df6c8e31de003675b7b77', status: 'PARSE', ...fields });

describe('refused callbacks change nothing', () => {
  const cases: {
    name: string;
    send: () => Promise<{ status: number; json: any; headers: Headers }>;
    status: number;
    message: RegExp;
  }[] = [
    { name: 'wrong method', send: () => post(callbackUri, '', { method: 'PUT' }), status: 405, message: /POST/ },
    { name: 'malformed JSON', send: () => post(callbackUri, '{"videoNo": '), status: 400, message: /not valid JSON/ },
    { name: 'a JSON array', send: () => post(callbackUri, '[]'), status: 400, message: /JSON object/ },
    {
      name: 'missing videoNo',
      send: () => post(callbackUri, callback({ videoNo: undefined })),
      status: 400,
      message: /"videoNo" is missing/,
    },
    {
      name: 'missing status',
      send: () => post(callbackUri, callback({ status: undefined })),
      status: 400,
      message: /"status" is missing/,
    },
    {
      name: 'a numeric status',
      send: () => post(callbackUri, callback({ status: 1 })),
      status: 400,
      message: /"status" must be a non-empty string/,
    },
    {
      name: 'an oversized body',
      send: () => post(callbackUri, callback({ padding: 'x'.repeat(20_000) })),
      status: 413,
      message: /exceeds 16384 bytes/,
    },
    {
      name: 'no token',
      send: () => post(`${stack.url}/webhooks/mavi/`, callback({})),
      status: 401,
      message: /no token/,
    },
    {
      name: 'no token segment',
      send: () => post(`${stack.url}/webhooks/mavi`, callback({})),
      status: 401,
      message: /no token/,
    },
    {
      name: 'a forged token',
      send: () => post(forged(callbackUri), callback({})),
      status: 403,
      message: /not issued by this gateway/,
    },
    {
      name: 'a malformed token',
      send: () => post(`${stack.url}/webhooks/mavi/not-a-token`, callback({})),
      status: 403,
      message: /malformed/,
    },
    {
      name: "another video's id under this token",
      send: () => post(callbackUri, callback({ videoNo: 'mavi_video_111111111111111111' })),
      status: 403,
      message: /different video/,
    },
  ];

  it('each bad request gets its 4xx, and the subscriber sees no event from any of them', async () => {
    const client = wsClient(stack.wsUrl);
    const { collected } = subscribeWs(client, VideoStatusDocument, { videoNo });
    await collected.waitForEvents(1);

    for (const { name, send, status, message } of cases) {
      const answer = await send();
      expect(answer.status, name).toBe(status);
      expect(answer.json.error.message, name).toMatch(message);
      if (status === 405) expect(answer.headers.get('allow')).toBe('POST');
    }
    const stored = await postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo });
    expect(stored.body.data?.video?.status).toBe('UNPARSE');

    // A genuine callback after all of them: the only change the subscriber sees.
    const answer = await post(callbackUri, callback({ status: 'PARSE' }));
    expect(answer).toMatchObject({ status: 200, json: { accepted: true, applied: true } });
    await collected.ended();
    expect(collected.events.map((event) => event.data?.videoStatus.status)).toEqual(['UNPARSE', 'PARSE']);
    await client.dispose();
  });
});

/** The same upload id with a MAC made from another secret. */
function forged(uri: string): string {
  const [prefix, token] = [uri.slice(0, uri.lastIndexOf('/') + 1), uri.slice(uri.lastIndexOf('/') + 1)];
  const [uploadId, mac] = token.split('.') as [string, string];
  const flipped = (mac[0] === 'A' ? 'B' : 'A') + mac.slice(1);
  return `${prefix}${uploadId}.${flipped}`;
}
