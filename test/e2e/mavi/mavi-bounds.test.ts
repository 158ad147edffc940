/**
 * Whatever MAVI does, a call to it is bounded: an answer larger than
 * MAVI_MAX_ANSWER_BYTES is refused unread, a search's work is bounded by the page
 * the client asked for (not by how many hits MAVI sent), an answer that trickles
 * is cut at the call's total deadline, an upload's deadline counts from its last
 * byte sent, a call is aborted at MAVI when its client leaves, and an upload holds
 * its client's slot until MAVI has answered it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SearchVideosDocument } from '../../generated/operations.js';
import { testFamily } from '../../utils/family.js';
import { postGraphQL } from '../../utils/graphql-clients.js';
import { collect, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { startStack, type Stack } from '../../utils/stack.js';
import { asAlice, TWO_CLIENT_KEYS, uploadSmallVideo } from '../../utils/two-clients.js';
import { waitUntil } from '../../utils/wait.js';

const family = testFamily();
const MAX_ANSWER_BYTES = 256 * 1024;
const CALL_TIMEOUT_MS = 2000;
const UPLOAD_ANSWER_TIMEOUT_MS = 3000;

/** Default deadlines (so that a busy machine never trips them), a small answer bound, one upload per key. */
let stack: Stack;
/** Short deadlines, for the tests of the deadlines alone. */
let deadlines: Stack;
beforeAll(async () => {
  const env = {
    ...TWO_CLIENT_KEYS,
    MAVI_MAX_ANSWER_BYTES: String(MAX_ANSWER_BYTES),
    RATE_LIMIT_SEARCH_PER_MINUTE: '1000',
  };
  stack = await startStack({
    simulator: { manualCallbacks: true },
    env: { ...env, MAX_CONCURRENT_UPLOADS_PER_KEY: '1' },
  });
  deadlines = await startStack({
    simulator: { manualCallbacks: true },
    env: {
      ...env,
      MAVI_CALL_TIMEOUT_MS: String(CALL_TIMEOUT_MS),
      MAVI_UPLOAD_ANSWER_TIMEOUT_MS: String(UPLOAD_ANSWER_TIMEOUT_MS),
    },
  });
});
afterAll(async () => {
  await stack.stop();
  await deadlines.stop();
});

/** A search answer in the family's shape, naming these videos in this order. */
function searchAnswer(videoNos: readonly string[]): string {
  const data =
    family === 'v1'
      ? videoNos.map((videoNo, index) => ({ videoNo, startTime: '0', endTime: '4', score: 1 - index / 1e6 }))
      : { videos: videoNos.map((videoNo) => ({ videoNo, videoName: 'x.mp4' })) };
  return JSON.stringify({ code: '0000', msg: 'success', data });
}

/** Answers the search endpoint as the test says; tells whether the gateway closed it before its end. */
function scriptSearch(
  answer: (req: IncomingMessage, res: ServerResponse) => void,
  on: Stack = stack,
): { closedEarly: Promise<void> } {
  let closedEarly!: () => void;
  const closed = new Promise<void>((resolve) => {
    closedEarly = resolve;
  });
  on.simulator.endpointFaults.set('search', {
    kind: 'answer',
    answer: (req, res) => {
      res.once('close', () => {
        if (!res.writableFinished) closedEarly();
      });
      req.resume();
      req.once('end', () => answer(req, res));
    },
  });
  return { closedEarly: closed };
}

const search = (first = 3, on: Stack = stack) =>
  postGraphQL(on.graphqlUrl, SearchVideosDocument, { query: 'beach', first }, asAlice);

describe('MAVI answers are bounded', () => {
  it('an answer over MAVI_MAX_ANSWER_BYTES is MAVI_UNAVAILABLE, refused before it is parsed', async () => {
    const owned = await uploadSmallVideo(stack.graphqlUrl, asAlice);
    // Valid JSON, just too large: a million-hit answer shrunk to fit a test.
    const hits = Array.from({ length: 20_000 }, (_, index) => `VI${String(index).padStart(18, '0')}`);
    const body = searchAnswer([owned, ...hits]);
    expect(body.length).toBeGreaterThan(MAX_ANSWER_BYTES);
    for (const chunked of [false, true]) {
      // Declared up front (refused before a byte is read), or chunked (counted as it arrives, and cut).
      scriptSearch((_req, res) => {
        res.writeHead(200, {
          'content-type': 'application/json',
          ...(chunked ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
        });
        if (chunked) res.write(body.slice(0, 1000));
        res.end(chunked ? body.slice(1000) : body);
      });
      const answer = await search();
      expect(answer.body.errors![0]!.extensions).toMatchObject({ code: 'MAVI_UNAVAILABLE', retryable: true });
      expect(answer.body.errors![0]!.message).toContain('MAVI_MAX_ANSWER_BYTES');
    }
    stack.simulator.endpointFaults.delete('search');
  });

  it("a search's work is bounded by `first`, not by the number of MAVI's hits", async () => {
    const mine = [await uploadSmallVideo(stack.graphqlUrl, asAlice), await uploadSmallVideo(stack.graphqlUrl, asAlice)];
    const unknown = Array.from({ length: 3_000 }, (_, index) => `VI${String(index).padStart(18, '0')}`);
    scriptSearch((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(searchAnswer([...mine, ...unknown])),
    );
    // Count the store reads the search makes: the ownership filter must stop once the page is full.
    const store = stack.gateway.parts.store;
    const get = store.get.bind(store);
    let reads = 0;
    store.get = (videoNo) => {
      reads += 1;
      return get(videoNo);
    };
    try {
      const answer = await search(2);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data!.searchVideos!.map((hit) => hit.video.videoNo).sort()).toEqual([...mine].sort());
      expect(reads).toBeLessThanOrEqual(64);
    } finally {
      store.get = get;
      stack.simulator.endpointFaults.delete('search');
    }
  });
});

describe('MAVI calls have total deadlines, and stop when nobody waits', () => {
  it('an answer trickling one byte at a time is cut at MAVI_CALL_TIMEOUT_MS, and the request to MAVI closed', async () => {
    let timer: NodeJS.Timeout | undefined;
    const { closedEarly } = scriptSearch((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const body = searchAnswer(['a-video-that-takes-long-to-name'.repeat(4)]);
      let at = 0;
      // One byte every 100 ms: never a gap long enough for undici's body timeout.
      timer = setInterval(() => {
        if (at < body.length) res.write(body[at++]!);
      }, 100);
      res.once('close', () => clearInterval(timer));
    }, deadlines);
    try {
      const answer = await search(3, deadlines);
      expect(answer.body.errors![0]!.extensions).toMatchObject({ code: 'MAVI_UNAVAILABLE', retryable: true });
      expect(answer.body.errors![0]!.message).toBe(`MAVI did not answer within ${CALL_TIMEOUT_MS} ms.`);
      await closedEarly;
    } finally {
      clearInterval(timer);
      deadlines.simulator.endpointFaults.delete('search');
    }
  });

  it('a search whose client leaves is aborted at MAVI', async () => {
    let held: ServerResponse | undefined;
    const { closedEarly } = scriptSearch((_req, res) => {
      held = res; // never answered
    });
    const client = new AbortController();
    const request = fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...asAlice },
      body: JSON.stringify({ query: '{ searchVideos(query: "beach") { score } }' }),
      signal: client.signal,
    }).catch(() => undefined);
    await waitUntil(() => held !== undefined, 'MAVI asked');
    client.abort();
    await request;
    await closedEarly; // the gateway closed its request to MAVI (well before MAVI_CALL_TIMEOUT_MS)
    stack.simulator.endpointFaults.delete('search');
  });

  it("an upload's deadline counts from its last byte: a slow send succeeds, a silent MAVI is cut after it", async () => {
    // A phone on a slow link: its file takes about twice MAVI_UPLOAD_ANSWER_TIMEOUT_MS to arrive, and the
    // upload still succeeds, since the deadline starts only once the last byte has gone on to MAVI.
    async function* slowClient() {
      for await (const chunk of videoFile(8 * 64 * 1024, 64 * 1024)) {
        yield chunk;
        await sleep(UPLOAD_ANSWER_TIMEOUT_MS / 4);
      }
    }
    const slow = await uploadVideo(deadlines.graphqlUrl, { content: slowClient(), headers: asAlice });
    expect(slow.json.errors).toBeUndefined();
    expect(slow.json.data.uploadVideo.status).toBe('UNPARSE');

    // MAVI reads the whole file, then never answers.
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => {
      upstreamClosed = resolve;
    });
    deadlines.simulator.fault = {
      kind: 'answer',
      answer: (req, res) => {
        req.resume();
        res.once('close', () => upstreamClosed());
      },
    };
    try {
      const silent = await uploadVideo(deadlines.graphqlUrl, {
        content: await collect(videoFile(4096)),
        headers: asAlice,
      });
      expect(silent.json.errors[0].extensions).toMatchObject({ code: 'MAVI_UNAVAILABLE', retryable: true });
      expect(silent.json.errors[0].message).toBe(
        `MAVI did not answer the upload within ${UPLOAD_ANSWER_TIMEOUT_MS} ms of its last byte.`,
      );
      await closed;
    } finally {
      deadlines.simulator.fault = undefined;
    }
  });
});

describe('an upload holds its slot until MAVI has answered', () => {
  it('with MAX_CONCURRENT_UPLOADS_PER_KEY=1, a client that hangs up after its last byte does not free the slot', async () => {
    const held: ServerResponse[] = [];
    stack.simulator.fault = {
      kind: 'answer',
      answer: (req, res) => {
        req.resume();
        req.once('end', () => held.push(res)); // MAVI has the whole file and takes its time to answer
      },
    };
    try {
      const hangUp = new AbortController();
      const first = uploadVideo(stack.graphqlUrl, {
        content: await collect(videoFile(4096)),
        headers: asAlice,
        signal: hangUp.signal,
      }).catch(() => undefined);
      await waitUntil(() => held.length === 1, 'MAVI has the first file');
      hangUp.abort(); // the client leaves; its upload still waits for MAVI
      await first;

      const second = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)), headers: asAlice });
      expect(second.status).toBe(429);
      expect(second.json.errors[0].extensions.code).toBe('TOO_MANY_UPLOADS');
      expect(held).toHaveLength(1); // nothing more reached MAVI

      // MAVI answers the first upload (here: refuses it): the slot is free again.
      held[0]!.writeHead(200, { 'content-type': 'application/json' });
      held[0]!.end(JSON.stringify({ code: '0001', msg: 'refused for the test', data: null }));
      stack.simulator.fault = undefined;
      await waitUntil(async () => {
        const third = await uploadVideo(stack.graphqlUrl, {
          content: await collect(videoFile(4096)),
          headers: asAlice,
        });
        return third.status === 200 && third.json.data?.uploadVideo?.status === 'UNPARSE';
      }, 'a new upload admitted once MAVI answered');
    } finally {
      stack.simulator.fault = undefined;
    }
  });
});
