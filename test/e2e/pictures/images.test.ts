/**
 * Pictures: an owner's image library (`uploadImage`, `images`, `deleteImages`), search over it
 * (`searchImages`, by text or by a picture), and the moments of one's own videos that match a
 * picture (`searchClipsByImage`). Real multipart requests to a real gateway, the simulator
 * behind it. The successor family has pictures; the original family refuses every one of these
 * with UNSUPPORTED_BY_MAVI, and nothing reaches MAVI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteImagesDocument,
  ImagesDocument,
  SearchClipsByImageDocument,
  SearchImagesByPictureDocument,
  SearchImagesByTextDocument,
  UploadImageDocument,
} from '../../generated/operations.js';
import { postGraphQL } from '../../utils/graphql-clients.js';
import { testFamily } from '../../utils/family.js';
import { MP4_HEADER, PICTURES, postOperationWithFile } from '../../utils/multipart-client.js';
import { startStack, TEST_WEBHOOK_SECRET, type Stack } from '../../utils/stack.js';
import { dropPrefix, requireRedis, uniquePrefix } from '../../utils/redis.js';
import { asAlice, asBob, TWO_CLIENT_KEYS, uploadSmallVideo } from '../../utils/two-clients.js';
import { waitUntil } from '../../utils/wait.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ simulator: { family: testFamily() }, env: TWO_CLIENT_KEYS });
});
afterAll(() => stack.stop());

const uploadImage = (
  content: Buffer,
  headers: Record<string, string>,
  fileName = 'jacket.png',
  contentType = 'image/png',
) =>
  postOperationWithFile(stack.graphqlUrl, {
    document: UploadImageDocument,
    variables: {},
    fileName,
    contentType,
    content,
    headers,
  });

/** `searchClipsByImage` as Alice, with a picture (a PNG unless given). */
const findMoments = (
  videoNos: string[],
  prompt: string,
  content: Buffer = PICTURES.png(),
  fileName = 'jacket.png',
  contentType = 'image/png',
) =>
  postOperationWithFile(stack.graphqlUrl, {
    document: SearchClipsByImageDocument,
    variables: { videoNos, prompt },
    fileName,
    contentType,
    content,
    headers: asAlice,
  });

const listImages = async (headers: Record<string, string>) =>
  (
    await postGraphQL(stack.graphqlUrl, ImagesDocument, { first: 50, after: null }, headers)
  ).body.data!.images!.nodes.map((node) => node.imageId);

describe.runIf(testFamily() === 'v1')('the image library (successor family)', () => {
  it("takes a picture as a stream, by its bytes, into the caller's partition; its id stays exact above 2^53", async () => {
    const result = await uploadImage(PICTURES.png(), asAlice);
    const image = result.json.data.uploadImage;
    expect(image).toMatchObject({ name: 'jacket.png', contentType: 'image/png', size: 2048 });
    const atMavi = stack.simulator.pictures.images.get(image.imageId);
    // MAVI wrote the id as a JSON number above 2^53: the gateway kept every digit.
    expect(BigInt(image.imageId) > 2n ** 53n).toBe(true);
    expect(atMavi).toMatchObject({ id: image.imageId, partition: 'alice', contentType: 'image/png', bytes: 2048 });
    expect(await listImages(asAlice)).toContain(image.imageId);
    expect(await listImages(asBob)).not.toContain(image.imageId);
  });

  it('tells every format by its bytes, whatever the declared type', async () => {
    for (const [format, picture] of Object.entries(PICTURES)) {
      const result = await uploadImage(picture(), asAlice, `photo.${format}`, 'application/octet-stream');
      expect(result.json.data.uploadImage.contentType, format).toBe(`image/${format}`);
    }
  });

  it('refuses what is not a picture, an empty file and one over 20 MB, sending MAVI nothing', async () => {
    const before = stack.simulator.pictures.images.size;
    const video = Buffer.concat([MP4_HEADER, Buffer.alloc(1000)]);
    const notPicture = await uploadImage(video, asAlice, 'holiday.jpg', 'image/jpeg');
    expect(notPicture.json.errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(notPicture.json.errors[0].message).toMatch(/not a JPEG, PNG, GIF, BMP or WebP picture/);

    const empty = await uploadImage(Buffer.alloc(0), asAlice);
    expect(empty.json.errors[0].extensions.code).toBe('EMPTY_FILE');

    const tooLarge = await uploadImage(PICTURES.png(20_000_001), asAlice);
    expect(tooLarge.json.errors[0].extensions.code).toBe('UPLOAD_TOO_LARGE');
    expect(stack.simulator.pictures.images.size).toBe(before);
  });

  it("answers another owner's picture as an unknown one: not deleted, not listed, not found", async () => {
    const alices = (await uploadImage(PICTURES.gif(2048, 77), asAlice, 'red-scarf.gif')).json.data.uploadImage.imageId;
    const byBob = await postGraphQL(stack.graphqlUrl, DeleteImagesDocument, { imageIds: [alices] }, asBob);
    expect(byBob.body.data!.deleteImages!.deleted).toEqual([]);
    expect(await listImages(asAlice)).toContain(alices);

    const bobSearches = await postGraphQL(
      stack.graphqlUrl,
      SearchImagesByTextDocument,
      { query: 'scarf', first: 10 },
      asBob,
    );
    expect(bobSearches.body.data!.searchImages).toEqual([]);
    const bobLooksAlike = await postOperationWithFile(stack.graphqlUrl, {
      document: SearchImagesByPictureDocument,
      variables: { minSimilarity: 0 },
      fileName: 'same.gif',
      contentType: 'image/gif',
      content: PICTURES.gif(2048, 77),
      headers: asBob,
    });
    expect(bobLooksAlike.json.data.searchImages).toEqual([]);
  });

  it("finds the caller's pictures by text and by a look-alike, best first; a deleted one no longer", async () => {
    const picture = PICTURES.webp(4096, 99);
    const id = (await uploadImage(picture, asAlice, 'blue-bicycle.webp')).json.data.uploadImage.imageId;
    const byText = await postGraphQL(
      stack.graphqlUrl,
      SearchImagesByTextDocument,
      { query: 'bicycle', first: 5 },
      asAlice,
    );
    expect(byText.body.data!.searchImages![0]).toMatchObject({
      image: { imageId: id, name: 'blue-bicycle.webp' },
      score: 0.9,
    });

    const lookAlike = () =>
      postOperationWithFile(stack.graphqlUrl, {
        document: SearchImagesByPictureDocument,
        variables: { minSimilarity: 0.9 },
        fileName: 'query.webp',
        contentType: 'image/webp',
        content: picture,
        headers: asAlice,
      });
    expect((await lookAlike()).json.data.searchImages).toEqual([
      { image: { imageId: id, name: 'blue-bicycle.webp' }, score: 1 },
    ]);

    const deleted = await postGraphQL(stack.graphqlUrl, DeleteImagesDocument, { imageIds: [id, id] }, asAlice);
    expect(deleted.body.data!.deleteImages!.deleted).toEqual([id]);
    expect(await listImages(asAlice)).not.toContain(id);
    // MAVI keeps its copy (it documents no deletion); the gateway no longer answers with it.
    expect(stack.simulator.pictures.images.has(id)).toBe(true);
    expect((await lookAlike()).json.data.searchImages).toEqual([]);
    const again = await postGraphQL(stack.graphqlUrl, DeleteImagesDocument, { imageIds: [id] }, asAlice);
    expect(again.body.data!.deleteImages!.deleted).toEqual([]);
  });

  it('sends MAVI nothing whole when the client vanishes mid-picture, and stays open for the next', async () => {
    const before = stack.simulator.pictures.images.size;
    const calls = stack.simulator.calls.get('image') ?? 0;
    const controller = new AbortController();
    async function* halfAPicture() {
      yield PICTURES.png(1024 * 1024);
      // The gateway has begun streaming it to MAVI: the client goes away.
      await waitUntil(() => (stack.simulator.calls.get('image') ?? 0) > calls, 'the picture reached MAVI');
      controller.abort();
      await new Promise(() => undefined);
    }
    const cut = postOperationWithFile(stack.graphqlUrl, {
      document: UploadImageDocument,
      variables: {},
      fileName: 'cut.png',
      contentType: 'image/png',
      content: halfAPicture(),
      headers: asAlice,
      signal: controller.signal,
    });
    await expect(cut).rejects.toThrow();
    const next = await uploadImage(PICTURES.png(), asAlice);
    expect(next.json.data.uploadImage.imageId).toMatch(/^\d+$/);
    expect(stack.simulator.pictures.images.size).toBe(before + 1);
  });

  it('takes exactly one of a text query and a picture', async () => {
    const neither = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...asAlice },
      body: JSON.stringify({ query: '{ searchImages { score } }' }),
    });
    const answer = (await neither.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(answer.errors[0]!.extensions.code).toBe('INVALID_INPUT');
    expect(answer.errors[0]!.message).toMatch(/exactly one of `query`/);
    const outOfRange = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...asAlice },
      body: JSON.stringify({ query: '{ searchImages(query: "jacket", minSimilarity: 2) { score } }' }),
    });
    const refused = (await outOfRange.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(refused.errors[0]!.extensions.code).toBe('INVALID_INPUT');
    expect(refused.errors[0]!.message).toBe('minSimilarity must be from 0 to 1; got 2.');
  });

  it('pages the library, newest first', async () => {
    const owner = { authorization: asBob.authorization };
    const ids = [];
    for (let n = 0; n < 3; n += 1)
      ids.push((await uploadImage(PICTURES.bmp(1024, n + 10), owner, `p${n}.bmp`)).json.data.uploadImage.imageId);
    const first = await postGraphQL(stack.graphqlUrl, ImagesDocument, { first: 2, after: null }, owner);
    const page = first.body.data!.images!;
    expect(page.pageInfo.hasNextPage).toBe(true);
    const second = await postGraphQL(
      stack.graphqlUrl,
      ImagesDocument,
      { first: 2, after: page.pageInfo.endCursor },
      owner,
    );
    const all = [...page.nodes, ...second.body.data!.images!.nodes].map((node) => node.imageId);
    expect(all.slice(0, 3)).toEqual([...ids].reverse());
  });
});

describe.runIf(testFamily() === 'v1')('searchClipsByImage (successor family)', () => {
  it("finds the moments in the caller's videos, one search at MAVI per video", async () => {
    const [first, second] = [
      await uploadSmallVideo(stack.graphqlUrl, asAlice),
      await uploadSmallVideo(stack.graphqlUrl, asAlice),
    ];
    const searched = stack.simulator.pictures.clipSearches.length;
    const one = await findMoments([first], 'where is this jacket?', PICTURES.jpeg(), 'jacket.jpg', 'image/jpeg');
    const clips = one.json.data.searchClipsByImage;
    expect(clips).toHaveLength(2);
    expect(clips[0]).toMatchObject({ videoNo: first, startTime: 1.5, endTime: 3 });
    expect(clips[0].score).toBeGreaterThan(clips[1].score);
    expect(clips[0].video).toEqual({ videoName: 'clip.mp4' });

    // Two videos: the picture goes to MAVI once for each.
    const two = await findMoments(
      [first, second],
      'where is this jacket?',
      PICTURES.jpeg(),
      'jacket.jpg',
      'image/jpeg',
    );
    expect(new Set(two.json.data.searchClipsByImage.map((clip: { videoNo: string }) => clip.videoNo))).toEqual(
      new Set([first, second]),
    );
    expect(stack.simulator.pictures.clipSearches.slice(searched)).toEqual([first, first, second]);
  });

  it("answers another owner's video as an unknown one, and nothing of it reaches MAVI", async () => {
    const alices = await uploadSmallVideo(stack.graphqlUrl, asAlice);
    const bobs = await uploadSmallVideo(stack.graphqlUrl, asBob);
    const searched = stack.simulator.pictures.clipSearches.length;
    const answer = await findMoments([bobs, alices], 'this?');
    expect(answer.json.errors[0].extensions.code).toBe('VIDEO_NOT_FOUND');
    expect(answer.json.errors[0].message).toContain(bobs);
    expect(stack.simulator.pictures.clipSearches.length).toBe(searched);
  });

  it('refuses a picture that is not one, and an empty prompt, before MAVI is asked', async () => {
    const alices = await uploadSmallVideo(stack.graphqlUrl, asAlice);
    const searched = stack.simulator.pictures.clipSearches.length;
    const notPicture = await findMoments([alices], 'this?', Buffer.from('%PDF-1.7 not a picture at all'));
    expect(notPicture.json.errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const noPrompt = await findMoments([alices], '  ');
    expect(noPrompt.json.errors[0].extensions.code).toBe('INVALID_INPUT');
    expect(stack.simulator.pictures.clipSearches.length).toBe(searched);
  });
});

const hasRedis = testFamily() === 'v1' && (await requireRedis('test/e2e/pictures/images.test.ts'));

describe.runIf(hasRedis)('one library across two instances on Redis', () => {
  const prefix = uniquePrefix();
  let first: Stack;
  let second: Stack;
  beforeAll(async () => {
    const env = {
      ...TWO_CLIENT_KEYS,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_PREFIX: prefix,
      WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    };
    first = await startStack({ simulator: { family: 'v1' }, env });
    second = await startStack({ sharedSimulator: first.simulator, env });
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
    await dropPrefix(prefix);
  });

  it('lists, pages, finds and deletes on one instance what was uploaded on the other', async () => {
    const upload = (stack: Stack, n: number) =>
      postOperationWithFile(stack.graphqlUrl, {
        document: UploadImageDocument,
        variables: {},
        fileName: `shared-${n}.png`,
        contentType: 'image/png',
        content: PICTURES.png(1024, 200 + n),
        headers: asAlice,
      });
    const ids: string[] = [];
    for (let n = 0; n < 3; n += 1)
      ids.push((await upload(n % 2 === 0 ? first : second, n)).json.data.uploadImage.imageId);
    const page = async (after: string | null) =>
      (await postGraphQL(second.graphqlUrl, ImagesDocument, { first: 2, after }, asAlice)).body.data!.images!;
    const one = await page(null);
    const two = await page(one.pageInfo.endCursor!);
    expect([...one.nodes, ...two.nodes].map((node) => node.imageId)).toEqual([...ids].reverse());
    expect(two.pageInfo.hasNextPage).toBe(false);
    expect(
      (await postGraphQL(first.graphqlUrl, ImagesDocument, { first: 10, after: null }, asBob)).body.data!.images!.nodes,
    ).toEqual([]);

    const deleted = await postGraphQL(first.graphqlUrl, DeleteImagesDocument, { imageIds: [ids[1]!] }, asAlice);
    expect(deleted.body.data!.deleteImages!.deleted).toEqual([ids[1]]);
    const left = (await postGraphQL(second.graphqlUrl, ImagesDocument, { first: 10, after: null }, asAlice)).body.data!
      .images!;
    expect(left.nodes.map((node) => node.imageId)).toEqual([ids[2], ids[0]]);
  });
});

describe.runIf(testFamily() === 'original')('the original family, which has no pictures', () => {
  it('refuses every picture operation with UNSUPPORTED_BY_MAVI, sending nothing', async () => {
    const upload = await uploadImage(PICTURES.png(), asAlice);
    expect(upload.json.errors[0].extensions.code).toBe('UNSUPPORTED_BY_MAVI');
    expect(upload.json.errors[0].message).toMatch(/MAVI_API=original/);
    const byText = await postGraphQL(
      stack.graphqlUrl,
      SearchImagesByTextDocument,
      { query: 'jacket', first: 5 },
      asAlice,
    );
    expect(byText.body.errors![0]!.extensions!.code).toBe('UNSUPPORTED_BY_MAVI');
    const videoNo = await uploadSmallVideo(stack.graphqlUrl, asAlice);
    const clips = await findMoments([videoNo], 'this?');
    expect(clips.json.errors[0].extensions.code).toBe('UNSUPPORTED_BY_MAVI');
    expect(stack.simulator.pictures.images.size).toBe(0);
    expect(stack.simulator.calls.get('image') ?? 0).toBe(0);
  });
});
