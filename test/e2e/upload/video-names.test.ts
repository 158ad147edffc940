/**
 * A video keeps the name its client gave (the file's, or the URL's last segment)
 * on every MAVI family, although the successor answers an upload with an internal
 * stored name; and `nameContains` ignores case and Unicode normal form on every
 * store, for any script, not only ASCII.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadVideoFromUrlDocument, VideosDocument } from '../../generated/operations.js';
import { postGraphQL } from '../../utils/graphql-clients.js';
import { collect, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { dropPrefix, REDIS_URL, requireRedis, uniquePrefix } from '../../utils/redis.js';
import { startStack, type Stack } from '../../utils/stack.js';
import { asAlice, TWO_CLIENT_KEYS } from '../../utils/two-clients.js';

const hasRedis = await requireRedis('test/e2e/upload/video-names.test.ts');
const stores = hasRedis ? (['sqlite', 'redis'] as const) : (['sqlite'] as const);
const resolveHost = async () => ['93.184.216.34'];

describe.each(stores)('video names on the %s store', (storeKind) => {
  let stack: Stack;
  const prefix = uniquePrefix();
  beforeAll(async () => {
    stack = await startStack({
      simulator: { manualCallbacks: true },
      env: { ...TWO_CLIENT_KEYS, ...(storeKind === 'redis' ? { REDIS_URL, REDIS_PREFIX: prefix } : {}) },
      gateway: { resolveHost },
    });
  });
  afterAll(async () => {
    await stack.stop();
    if (storeKind === 'redis') await dropPrefix(prefix);
  });

  const upload = async (fileName: string) => {
    const result = await uploadVideo(stack.graphqlUrl, {
      content: await collect(videoFile(4096)),
      headers: asAlice,
      fileName,
    });
    return result.json.data.uploadVideo as { videoNo: string; videoName: string };
  };
  const namesContaining = async (nameContains: string) => {
    const answer = await postGraphQL(
      stack.graphqlUrl,
      VideosDocument,
      { first: 100, nameContains, after: null, status: null },
      asAlice,
    );
    return answer.body.data!.videos!.edges.map((edge) => edge.node.videoName).sort();
  };

  it("keeps the client's file name and the URL's last segment, whatever name MAVI answered with", async () => {
    const uploaded = await upload('holiday-beach.mp4');
    expect(uploaded.videoName).toBe('holiday-beach.mp4');
    const fromUrl = await postGraphQL(
      stack.graphqlUrl,
      UploadVideoFromUrlDocument,
      { url: 'https://videos.example/trips/Summer%20trip.mp4', metadata: null },
      asAlice,
    );
    expect(fromUrl.body.data!.uploadVideoFromUrl!.videoName).toBe('Summer trip.mp4');
    expect(await namesContaining('holiday')).toEqual(['holiday-beach.mp4']);
    expect(await namesContaining('summer TRIP')).toEqual(['Summer trip.mp4']);
  });

  it('nameContains ignores case beyond ASCII, and Unicode normal forms', async () => {
    await upload('Été-Plage.mp4');
    await upload('ΘΆΛΑΣΣΑ.mp4');
    for (const query of ['Été', 'été', 'ÉTÉ', 'e\u0301te\u0301']) {
      expect(await namesContaining(query)).toEqual(['Été-Plage.mp4']);
    }
    expect(await namesContaining('θάλασσα')).toEqual(['ΘΆΛΑΣΣΑ.mp4']);
  });
});
