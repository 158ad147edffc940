/**
 * Everything an app does with its videos through the gateway, over both MAVI API
 * families (the simulator is deterministic, so answers are exact): the list with
 * its pagination and lazily loaded details, search, clips, chat, transcripts,
 * upload from a URL and upload metadata. Each is limited to the caller's own
 * videos: another client's video gets byte for byte the answer an unknown one gets.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChatDocument,
  DeleteVideosDocument,
  NodeDocument,
  SearchClipsDocument,
  SearchVideosDocument,
  TranscriptDocument,
  TranscriptReadyDocument,
  UploadVideoFromUrlDocument,
  UploadVideoWithMetadataDocument,
  VideoIdDocument,
  VideoStatusDocument,
  VideosDocument,
  VideosWithDetailsDocument,
  type ChatSubscription,
  type VideosQuery,
} from '../../generated/operations.js';
import { testFamily } from '../../utils/family.js';
import { postGraphQL, subscribeSse, subscribeWs, wsClient, type Collected } from '../../utils/graphql-clients.js';
import { collect, postMultipart, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { startStack, type Stack } from '../../utils/stack.js';
import { waitUntil } from '../../utils/wait.js';
import { ALICE, BOB, asAlice, asBob } from '../../utils/two-clients.js';

const CAROL = 'client-key-cccccccccccccccccccc';
const family = testFamily();
const UNKNOWN_VIDEO = family === 'v1' ? 'VI000000000000000000' : 'mavi_video_000000000000000000';

/** Public names resolve to a public address here; `internal.example` to a private one (no DNS in tests). */
const resolveHost = async (hostname: string) =>
  hostname === 'internal.example' ? ['192.168.1.5'] : hostname.endsWith('.example') ? ['93.184.216.34'] : [];

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    simulator: { manualCallbacks: true },
    env: { GATEWAY_API_KEYS: `alice:${ALICE},bob:${BOB},carol:${CAROL}` },
    gateway: { resolveHost },
  });
});
afterAll(() => stack.stop());

/** A query or mutation; variables left out are absent (codegen's types list every one). */
const gql = <TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: Partial<TVariables>,
  headers: Record<string, string>,
) => postGraphQL(stack.graphqlUrl, document, variables as TVariables, headers);

async function upload(headers: Record<string, string>, fileName = 'clip.mp4'): Promise<string> {
  const result = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)), headers, fileName });
  const videoNo = result.json.data?.uploadVideo?.videoNo;
  if (!videoNo) throw new Error(`upload failed: ${JSON.stringify(result.json)}`);
  return videoNo;
}

/** MAVI finishes the video and calls back; resolves once the gateway has PARSE. */
async function parse(videoNo: string): Promise<void> {
  await stack.simulator.setStatus(videoNo, 'PARSE', { notify: true });
  await waitUntil(async () => (await stack.gateway.parts.status.get(videoNo))?.status === 'PARSE', 'PARSE stored');
}

async function uploadParsed(headers: Record<string, string>, fileName: string): Promise<string> {
  const videoNo = await upload(headers, fileName);
  await parse(videoNo);
  return videoNo;
}

describe('videos: the caller’s list, from the store', () => {
  let mine: string[];
  // A client of its own, so that other tests' uploads do not change its list.
  const owner = { authorization: `Bearer ${CAROL}` };

  beforeAll(async () => {
    mine = [];
    for (const name of ['a-one.mp4', 'b-two.mp4', 'c-three.mp4', 'd-four.mp4', 'e-five.mp4']) {
      mine.push(await upload(owner, name));
      await sleep(3); // distinct upload times: the order is then the upload order, reversed
    }
    await parse(mine[1]!);
    await parse(mine[3]!);
  });

  it('pages newest first to the end, each page continuing where the last ended', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    const pages: boolean[] = [];
    do {
      const { body } = await gql(VideosDocument, { first: 2, after }, owner);
      const page: NonNullable<VideosQuery['videos']> = body.data!.videos!;
      seen.push(...page.edges.map((edge) => edge.node.videoNo));
      expect(page.nodes.map((node) => node.videoNo)).toEqual(page.edges.map((edge) => edge.node.videoNo));
      pages.push(page.pageInfo.hasNextPage);
      // The Relay fields: a page asked for after a cursor has videos before it; it starts at its first edge.
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual([...mine].reverse());
    expect(pages).toEqual([true, true, false]);
  });

  it('an edge cursor continues after its video; an exact last page says there is no more', async () => {
    const first = (await gql(VideosDocument, { first: 3 }, owner)).body.data!.videos!;
    const fromSecond = (await gql(VideosDocument, { first: 2, after: first.edges[1]!.cursor }, owner)).body.data!
      .videos!;
    expect(fromSecond.edges.map((edge) => edge.node.videoNo)).toEqual([mine[2], mine[1]]);
    const all = (await gql(VideosDocument, { first: 5 }, owner)).body.data!.videos!;
    expect(all.pageInfo.hasNextPage).toBe(false);
    const beyond = (await gql(VideosDocument, { first: 5, after: all.pageInfo.endCursor }, owner)).body.data!.videos!;
    expect(beyond).toEqual({
      edges: [],
      nodes: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null },
    });
  });

  it('filters by status and by name, ignoring case', async () => {
    const parsed = (await gql(VideosDocument, { status: 'PARSE' }, owner)).body.data!.videos!;
    expect(parsed.nodes.map((node) => node.videoNo)).toEqual([mine[3], mine[1]]);
    const named = (await gql(VideosDocument, { nameContains: 'THREE' }, owner)).body.data!.videos!;
    expect(named.edges.map((edge) => edge.node.videoName)).toEqual(['c-three.mp4']);
    const both = (await gql(VideosDocument, { status: 'UNPARSE', nameContains: 'four' }, owner)).body.data!.videos!;
    expect(both.nodes).toEqual([]);
  });

  it("shows no other client's videos", async () => {
    const { body } = await gql(VideosDocument, { first: 100 }, asBob);
    const theirs = body.data!.videos!.nodes.map((node) => node.videoNo);
    expect(theirs.filter((videoNo) => mine.includes(videoNo))).toEqual([]);
  });

  it('refuses a page size out of range and a cursor it did not give, naming the problem', async () => {
    for (const first of [0, 101]) {
      const { body } = await gql(VideosDocument, { first }, owner);
      expect(body.errors![0]!.extensions!.code).toBe('INVALID_INPUT');
      expect(body.errors![0]!.message).toContain('first must be from 1 to 100');
    }
    for (const after of ['not-a-cursor', Buffer.from('[1,2]').toString('base64url'), '']) {
      const { body } = await gql(VideosDocument, { after }, owner);
      if (after === '') expect(body.data?.videos?.nodes.length).toBe(5);
      else expect(body.errors![0]!.message).toBe('`after` is not a cursor this gateway gave.');
    }
  });

  it('loads details from MAVI only when asked, in one batch per request', async () => {
    const before = stack.simulator.stats.searchDbCalls;
    await gql(VideosDocument, { first: 5 }, owner);
    expect(stack.simulator.stats.searchDbCalls).toBe(before);

    const { body } = await gql(VideosWithDetailsDocument, { first: 3 }, owner);
    const nodes = body.data!.videos!.nodes;
    expect(nodes.map((node) => node.again)).toEqual(nodes.map(() => ({ durationSeconds: 8 })));
    const details = nodes[0]!.details;
    if (family === 'v1') {
      expect(details).toEqual({ durationSeconds: 8, sizeBytes: 4096, width: 1280, height: 720, framesPerSecond: 30 });
      // One get_metadata per video, however many fields ask: the loader batches and caches.
      expect(stack.simulator.stats.searchDbCalls - before).toBe(3);
    } else {
      expect(details).toEqual({
        durationSeconds: 8,
        sizeBytes: null,
        width: null,
        height: null,
        framesPerSecond: null,
      });
      // The three uploads are seconds apart at most: one searchDB window covers them.
      expect(stack.simulator.stats.searchDbCalls - before).toBe(1);
    }
  });
});

describe('global ids: Node and node(id:)', () => {
  it('refetches a video by its id, for its owner only, and answers null once it is deleted', async () => {
    const videoNo = await upload(asAlice, 'refetch.mp4');
    const { id } = (await gql(VideoIdDocument, { videoNo }, asAlice)).body.data!.video!;
    expect(id).not.toContain(videoNo); // opaque: a client keys its cache on it, and parses nothing

    const mine = await gql(NodeDocument, { id }, asAlice);
    expect(mine.body).toEqual({ data: { node: { __typename: 'Video', id, videoNo, videoName: 'refetch.mp4' } } });
    // Another client's video is answered as no video at all.
    expect((await gql(NodeDocument, { id }, asBob)).body).toEqual({ data: { node: null } });

    await gql(DeleteVideosDocument, { videoNos: [videoNo] }, asAlice);
    expect((await gql(NodeDocument, { id }, asAlice)).body).toEqual({ data: { node: null } });
  });

  it('refuses an id it did not give with INVALID_INPUT, naming the problem', async () => {
    const foreign = Buffer.from('Repository:42').toString('base64');
    for (const id of ['not an id', '', foreign]) {
      const { body } = await gql(NodeDocument, { id }, asAlice);
      expect(body.data, id).toEqual({ node: null });
      expect(body.errors![0], id).toMatchObject({
        message: 'The id is not a global id this gateway gave.',
        extensions: { code: 'INVALID_INPUT', retryable: false },
      });
    }
  });
});

describe('searchVideos and searchClips', () => {
  let beach: string;
  let city: string;
  let bobsBeach: string;
  beforeAll(async () => {
    beach = await uploadParsed(asAlice, 'beach-sunset.mp4');
    city = await uploadParsed(asAlice, 'city-night.mp4');
    bobsBeach = await uploadParsed(asBob, 'beach-party.mp4');
  });

  it('finds the caller’s matching videos only, best first', async () => {
    const { body } = await gql(SearchVideosDocument, { query: 'beach sunset' }, asAlice);
    const score = family === 'v1' ? 1 : null;
    expect(body).toEqual({
      data: { searchVideos: [{ video: { videoNo: beach, videoName: 'beach-sunset.mp4' }, score }] },
    });
    const bobs = await gql(SearchVideosDocument, { query: 'beach' }, asBob);
    expect(bobs.body.data!.searchVideos!.map((match) => match.video.videoNo)).toEqual([bobsBeach]);
    const none = await gql(SearchVideosDocument, { query: 'mountain' }, asAlice);
    expect(none.body).toEqual({ data: { searchVideos: [] } });
  });

  it('finds moments with start, end and (where the family has one) a score', async () => {
    const { body } = await gql(SearchClipsDocument, { query: 'night' }, asAlice);
    const clips = body.data!.searchClips;
    if (family === 'v1') {
      expect(clips).toEqual([
        { video: { videoNo: city }, startSeconds: 0, endSeconds: 4, score: 1 },
        { video: { videoNo: city }, startSeconds: 4, endSeconds: 8, score: 0.5 },
      ]);
      const strong = await gql(SearchClipsDocument, { query: 'night', minScore: 0.6 }, asAlice);
      expect(strong.body.data!.searchClips!.map((clip) => clip.endSeconds)).toEqual([4]);
    } else {
      expect(clips).toEqual([
        { video: { videoNo: city }, startSeconds: 0, endSeconds: 4, score: null },
        { video: { videoNo: city }, startSeconds: 4, endSeconds: 8, score: null },
      ]);
      const strong = await gql(SearchClipsDocument, { query: 'night', minScore: 0.6 }, asAlice);
      expect(strong.body.errors![0]!.message).toBe(
        'minScore cannot apply: the original MAVI family gives clips no score.',
      );
    }
    const limited = await gql(SearchClipsDocument, { query: 'beach night', videoNos: [beach], first: 1 }, asAlice);
    expect(limited.body.data!.searchClips!.map((clip) => [clip.video.videoNo, clip.startSeconds])).toEqual([
      [beach, 0],
    ]);
    const bobs = await gql(SearchClipsDocument, { query: 'beach' }, asAlice);
    expect(bobs.body.data!.searchClips!.every((clip) => clip.video.videoNo === beach)).toBe(true);
  });

  it("answers another client's videoNo exactly as an unknown one, and asks MAVI nothing", async () => {
    const before = stack.simulator.calls.get('search') ?? 0;
    const theirs = await gql(SearchClipsDocument, { query: 'beach', videoNos: [bobsBeach] }, asAlice);
    const unknown = await gql(SearchClipsDocument, { query: 'beach', videoNos: [UNKNOWN_VIDEO] }, asAlice);
    expect(theirs.body.errors![0]!.extensions!.code).toBe('VIDEO_NOT_FOUND');
    expect(JSON.stringify(theirs).replace(bobsBeach, 'X')).toBe(JSON.stringify(unknown).replace(UNKNOWN_VIDEO, 'X'));
    expect(stack.simulator.calls.get('search') ?? 0).toBe(before);
  });

  it('refuses empty and overlong queries, and relays MAVI being busy as retryable', async () => {
    for (const query of ['  ', 'x'.repeat(1001)]) {
      const { body } = await gql(SearchVideosDocument, { query }, asAlice);
      expect(body.errors![0]!.extensions!.code).toBe('INVALID_INPUT');
    }
    stack.simulator.endpointFaults.set('search', { kind: 'busy' });
    try {
      const { body } = await gql(SearchVideosDocument, { query: 'beach' }, asAlice);
      expect(body.errors![0]!.extensions).toMatchObject({ code: 'MAVI_BUSY', retryable: true });
    } finally {
      stack.simulator.endpointFaults.delete('search');
    }
  });
});

type ChatEvent = ChatSubscription['chat'];
const eventsOf = (collected: Collected<ChatSubscription>) =>
  collected.events.map((event) => event.data?.chat ?? event.errors);

describe('chat', () => {
  let beach: string;
  let unparsed: string;
  let bobs: string;
  beforeAll(async () => {
    beach = await uploadParsed(asAlice, 'beach-day.mp4');
    unparsed = await upload(asAlice, 'later.mp4');
    bobs = await uploadParsed(asBob, 'bob.mp4');
  });

  const expected = (message: string, turn: number, sessionId: string): ChatEvent[] => [
    ...(family === 'v1'
      ? ([
          { __typename: 'ChatThinking', title: 'Watching', content: 'Looking through 1 video(s).' },
          {
            __typename: 'ChatReference',
            videoNo: beach,
            startSeconds: 0,
            endSeconds: 4,
            caption: 'Opening of beach-day.mp4',
          },
        ] as ChatEvent[])
      : []),
    { __typename: 'ChatText', text: `Turn ${turn}: ` },
    { __typename: 'ChatText', text: `"${message}" ` },
    { __typename: 'ChatText', text: 'is about beach-day.mp4.' },
    { __typename: 'ChatDone', sessionId },
  ];

  it('streams typed events over SSE, then continues the conversation over websockets', async () => {
    const first = subscribeSse(
      stack.graphqlUrl,
      ChatDocument,
      { videoNos: [beach], message: 'What happens?', sessionId: null },
      asAlice,
    );
    await first.collected.ended();
    const events = eventsOf(first.collected) as ChatEvent[];
    const done = events.at(-1) as Extract<ChatEvent, { __typename: 'ChatDone' }>;
    expect(events).toEqual(expected('What happens?', 1, done.sessionId));

    const client = wsClient(stack.wsUrl, asAlice);
    const second = subscribeWs(client, ChatDocument, {
      videoNos: [beach],
      message: 'And then?',
      sessionId: done.sessionId,
    });
    await second.collected.ended();
    await client.dispose();
    expect(eventsOf(second.collected)).toEqual(expected('And then?', 2, done.sessionId));
  });

  it("refuses another client's session and video exactly as unknown ones, and unprocessed videos", async () => {
    const first = subscribeSse(
      stack.graphqlUrl,
      ChatDocument,
      { videoNos: [beach], message: 'Hi', sessionId: null },
      asAlice,
    );
    await first.collected.ended();
    const sessionId = (first.collected.events.at(-1)!.data!.chat as { sessionId: string }).sessionId;
    const chat = (variables: { videoNos: string[]; message: string; sessionId?: string }, headers = asBob) =>
      gql(ChatDocument, variables, headers);

    const theirSession = await chat({ videoNos: [bobs], message: 'Hi', sessionId });
    const noSession = await chat({ videoNos: [bobs], message: 'Hi', sessionId: 'no-such-session' });
    expect(theirSession.body.errors![0]!.extensions!.code).toBe('CHAT_SESSION_NOT_FOUND');
    expect(JSON.stringify(theirSession).replace(sessionId, 'X')).toBe(
      JSON.stringify(noSession).replace('no-such-session', 'X'),
    );

    const theirVideo = await chat({ videoNos: [beach], message: 'Hi' });
    const unknownVideo = await chat({ videoNos: [UNKNOWN_VIDEO], message: 'Hi' });
    expect(theirVideo.body.errors![0]!.extensions!.code).toBe('VIDEO_NOT_FOUND');
    expect(JSON.stringify(theirVideo).replace(beach, 'X')).toBe(
      JSON.stringify(unknownVideo).replace(UNKNOWN_VIDEO, 'X'),
    );

    const notReady = await chat({ videoNos: [unparsed], message: 'Hi' }, asAlice);
    expect(notReady.body.errors![0]!.extensions!.code).toBe('VIDEO_NOT_READY');
    const empty = await chat({ videoNos: [beach], message: '   ' }, asAlice);
    expect(empty.body.errors![0]!.message).toBe('The message is empty.');
  });

  it('a MAVI refusal mid-stream reaches the subscriber as its gateway code', async () => {
    stack.simulator.endpointFaults.set('chat', { kind: 'busy' });
    try {
      const sse = subscribeSse(
        stack.graphqlUrl,
        ChatDocument,
        { videoNos: [beach], message: 'Hi', sessionId: null },
        asAlice,
      );
      await sse.collected.ended();
      expect(sse.collected.events.at(-1)!.errors![0]!.extensions).toMatchObject({ code: 'MAVI_BUSY', retryable: true });
    } finally {
      stack.simulator.endpointFaults.delete('chat');
    }
  });
});

describe('chat: leaving stops MAVI at once', () => {
  let long: Stack;
  let videoNo: string;
  beforeAll(async () => {
    long = await startStack({
      simulator: { manualCallbacks: true, chatExtraPieces: 100_000, chatPieceDelayMs: 2 },
      env: { GATEWAY_API_KEYS: `alice:${ALICE}`, RATE_LIMIT_CHAT_PER_MINUTE: '1000' },
    });
    const result = await uploadVideo(long.graphqlUrl, { content: await collect(videoFile(1024)), headers: asAlice });
    videoNo = result.json.data!.uploadVideo!.videoNo;
    await long.simulator.setStatus(videoNo, 'PARSE', { notify: true });
    await waitUntil(async () => (await long.gateway.parts.status.get(videoNo))?.status === 'PARSE', 'PARSE stored');
  });
  afterAll(() => long.stop());

  it('unsubscribing over websockets aborts the upstream stream, which stops being written', async () => {
    const client = wsClient(long.wsUrl, asAlice);
    const chat = subscribeWs(client, ChatDocument, {
      videoNos: [videoNo],
      message: 'Tell me everything',
      sessionId: null,
    });
    await chat.collected.waitForEvents(5);
    chat.unsubscribe();
    await waitUntil(() => long.simulator.chatStreams.open === 0, 'upstream stream closed');
    expect(long.simulator.chatStreams).toMatchObject({ aborted: 1, completed: 0 });
    await client.dispose();
    expect(long.gateway.parts.chats.streaming).toBe(0);
  });

  it('100 concurrent chats whose clients vanish early leak nothing: streams, sockets, memory', async () => {
    const gc = exposeGc();
    const connections = () =>
      new Promise<number>((resolve) => long.gateway.server.getConnections((_error, count) => resolve(count)));
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const abortedBefore = long.simulator.chatStreams.aborted;

    for (let round = 0; round < 3; round += 1) {
      const chats = Array.from({ length: 100 }, () =>
        subscribeSse(
          long.graphqlUrl,
          ChatDocument,
          { videoNos: [videoNo], message: 'Go on', sessionId: null },
          asAlice,
        ),
      );
      await Promise.all(chats.map((chat) => chat.collected.waitForEvents(3)));
      for (const chat of chats) chat.close(); // the clients vanish mid-answer
      await waitUntil(() => long.simulator.chatStreams.open === 0, 'upstream streams closed');
    }
    await waitUntil(
      async () => (await connections()) === 0 && long.gateway.parts.chats.streaming === 0,
      'connections closed',
      15_000,
    );
    expect(long.simulator.chatStreams.aborted - abortedBefore).toBe(300);

    gc();
    const grownMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    // 300 chats that each streamed pieces: what stays must be noise, not 300 chats' state.
    expect(grownMiB).toBeLessThan(8);
  });
});

describe('transcripts', () => {
  let parsed: string;
  let pending: string;
  let bobs: string;
  beforeAll(async () => {
    parsed = await uploadParsed(asAlice, 'talk.mp4');
    pending = await upload(asAlice, 'soon.mp4');
    bobs = await uploadParsed(asBob, 'bobs-talk.mp4');
  });

  const segments = (word: string, name: string) =>
    [1, 2, 3].map((index) => ({
      startSeconds: (index - 1) * 2,
      endSeconds: index * 2,
      text: `${word} ${index} of ${name}`,
    }));

  /** The original family's task: started by the first request, finished by MAVI's callback. */
  async function finishTask(videoNo: string, type: 'AUDIO' | 'VIDEO'): Promise<void> {
    const task = [...stack.simulator.transcriptionTasks.values()].find(
      (t) => t.videoNo === videoNo && t.type === type,
    )!;
    const delivery = await stack.simulator.finishTranscription(task.taskNo);
    expect(delivery.httpStatus).toBe(200);
  }

  it('reads speech and visual transcripts of a processed video, as timed segments', async () => {
    for (const [kind, type, word] of [
      ['SPEECH', 'AUDIO', 'Speech'],
      ['VISUAL', 'VIDEO', 'Scene'],
    ] as const) {
      const first = await gql(TranscriptDocument, { videoNo: parsed, kind }, asAlice);
      if (family === 'original') {
        expect(first.body.data!.transcript).toEqual({ videoNo: parsed, kind, state: 'PENDING', segments: [] });
        await finishTask(parsed, type);
      }
      const ready = await gql(TranscriptDocument, { videoNo: parsed, kind }, asAlice);
      expect(ready.body.data!.transcript).toEqual({
        videoNo: parsed,
        kind,
        state: 'READY',
        segments: segments(word, 'talk.mp4'),
      });
    }
  });

  it('not processed yet is a state, not an error; transcriptReady delivers it once ready, over SSE', async () => {
    const now = await gql(TranscriptDocument, { videoNo: pending, kind: 'SPEECH' }, asAlice);
    expect(now.body).toEqual({
      data: { transcript: { videoNo: pending, kind: 'SPEECH', state: 'PENDING', segments: [] } },
    });

    const wait = subscribeSse(stack.graphqlUrl, TranscriptReadyDocument, { videoNo: pending, kind: 'SPEECH' }, asAlice);
    await sleep(100);
    expect(wait.collected.events).toEqual([]);
    await parse(pending);
    if (family === 'original') {
      await waitUntil(
        () => [...stack.simulator.transcriptionTasks.values()].some((t) => t.videoNo === pending),
        'task started',
      );
      await sleep(50);
      expect(wait.collected.events).toEqual([]);
      await finishTask(pending, 'AUDIO');
    }
    await wait.collected.ended();
    expect(wait.collected.events.map((event) => event.data?.transcriptReady)).toEqual([
      { videoNo: pending, kind: 'SPEECH', state: 'READY', segments: segments('Speech', 'soon.mp4') },
    ]);
    expect(wait.collected.completed).toBe(true);
  });

  it("answers another client's video exactly as an unknown one", async () => {
    const theirs = await gql(TranscriptDocument, { videoNo: bobs, kind: 'SPEECH' }, asAlice);
    const unknown = await gql(TranscriptDocument, { videoNo: UNKNOWN_VIDEO, kind: 'SPEECH' }, asAlice);
    expect(theirs.body).toEqual({ data: { transcript: null } }); // a lookup, like `video`
    expect(JSON.stringify(theirs.body)).toBe(JSON.stringify(unknown.body));
    const sub = subscribeSse(stack.graphqlUrl, TranscriptReadyDocument, { videoNo: bobs, kind: 'SPEECH' }, asAlice);
    await sub.collected.ended().catch(() => undefined);
    expect(JSON.stringify(sub.collected.events[0]?.errors)).toContain('VIDEO_NOT_FOUND');
  });
});

describe.runIf(family === 'original')('transcription callbacks (original family)', () => {
  let videoNo: string;
  let task: { taskNo: string; callbackUri: string };
  beforeAll(async () => {
    videoNo = await uploadParsed(asAlice, 'callbacks.mp4');
    await gql(TranscriptDocument, { videoNo, kind: 'SPEECH' }, asAlice);
    const started = [...stack.simulator.transcriptionTasks.values()].find((t) => t.videoNo === videoNo)!;
    task = { taskNo: started.taskNo, callbackUri: started.callbackUri! };
  });

  const post = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const finished = () => ({ taskNo: task.taskNo, status: 'FINISH', type: 'AUDIO', videoNo, transcriptions: [] });

  it('are sent to a transcript URL whose token is bound to the task', () => {
    expect(task.callbackUri).toMatch(/\/webhooks\/mavi\/transcripts\/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
  });

  it('refuses forged tokens, upload tokens, and another video', async () => {
    const forged = task.callbackUri.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await post(forged, finished())).status).toBe(403);
    const uploadToken = stack.simulator.videos.get(videoNo)!.callbackUri!.split('/').pop()!;
    expect((await post(`${stack.url}/webhooks/mavi/transcripts/${uploadToken}`, finished())).status).toBe(403);
    const other = await post(task.callbackUri, { ...finished(), videoNo: UNKNOWN_VIDEO });
    expect(other.status).toBe(403);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('CALLBACK_VIDEO_MISMATCH');
    const garbage = await post(task.callbackUri, { nothing: true });
    expect(garbage.status).toBe(400);
  });

  it('applies a callback once: a duplicate changes nothing and announces nothing', async () => {
    const wait = subscribeSse(stack.graphqlUrl, TranscriptReadyDocument, { videoNo, kind: 'SPEECH' }, asAlice);
    await sleep(100);
    stack.simulator.transcriptionTasks.get(task.taskNo)!.finished = true;
    const first = await post(task.callbackUri, finished());
    expect(await first.json()).toEqual({ accepted: true, applied: true });
    const again = await post(task.callbackUri, { code: '0000', msg: 'success', data: finished() });
    expect(await again.json()).toEqual({ accepted: true, applied: false });
    await wait.collected.ended();
    expect(wait.collected.events.map((event) => event.data?.transcriptReady?.state)).toEqual(['READY']);
  });

  it('keeps a callback that arrives before MAVI answered subTranscription', async () => {
    const early = await startStack({
      simulator: { answerDelayMs: 300, transcriptionDelayMs: 0, parseDelayMs: 0 },
      env: { GATEWAY_API_KEYS: `alice:${ALICE}` },
    });
    try {
      const result = await uploadVideo(early.graphqlUrl, { content: await collect(videoFile(1024)), headers: asAlice });
      const id = result.json.data!.uploadVideo!.videoNo;
      await waitUntil(async () => (await early.gateway.parts.status.get(id))?.status === 'PARSE', 'PARSE stored');
      const first = await postGraphQL(early.graphqlUrl, TranscriptDocument, { videoNo: id, kind: 'VISUAL' }, asAlice);
      // The task finished and called back while the answer was held: its result is read at once.
      expect(early.simulator.callbacks.filter((c) => c.status === 'FINISH').map((c) => c.httpStatus)).toEqual([200]);
      expect(first.body.data!.transcript!.state).toBe('READY');
    } finally {
      await early.stop();
    }
  });
});

describe('uploadVideoFromUrl', () => {
  const urlUploads = () => stack.simulator.calls.get('url-upload') ?? 0;

  it('has MAVI fetch the video, then tracks it like an uploaded file', async () => {
    const { body } = await gql(
      UploadVideoFromUrlDocument,
      { url: 'https://videos.example/trips/harbour.mp4' },
      asAlice,
    );
    const video = body.data!.uploadVideoFromUrl!;
    expect(video).toMatchObject({ videoName: 'harbour.mp4', status: 'UNPARSE' });
    const sse = subscribeSse(stack.graphqlUrl, VideoStatusDocument, { videoNo: video.videoNo }, asAlice);
    await sse.collected.waitForEvents(1);
    await stack.simulator.setStatus(video.videoNo, 'PARSE', { notify: true });
    await sse.collected.ended();
    expect(sse.collected.events.map((event) => event.data?.videoStatus.status)).toEqual(['UNPARSE', 'PARSE']);
    const bobSees = await gql(VideosDocument, { nameContains: 'harbour' }, asBob);
    expect(bobSees.body.data!.videos!.nodes).toEqual([]);
  });

  it('refuses loopback, private and link-local addresses, and other schemes, asking MAVI nothing', async () => {
    const before = urlUploads();
    for (const url of [
      'http://127.0.0.1/clip.mp4',
      'http://2130706433/clip.mp4',
      'http://0x7f.1/clip.mp4',
      'http://[::1]/clip.mp4',
      'http://[::ffff:10.0.0.1]/clip.mp4',
      'http://[::127.0.0.1]/clip.mp4',
      'http://[64:ff9b::7f00:1]/clip.mp4',
      'http://10.1.2.3/clip.mp4',
      'http://172.20.0.1/clip.mp4',
      'http://192.168.0.10/clip.mp4',
      'http://169.254.169.254/latest/meta-data',
      'http://[fe80::1]/clip.mp4',
      'http://localhost:8080/clip.mp4',
      'http://api.localhost/clip.mp4',
      'http://internal.example/clip.mp4',
      'ftp://videos.example/clip.mp4',
      'file:///etc/passwd',
    ]) {
      const { body } = await gql(UploadVideoFromUrlDocument, { url }, asAlice);
      expect(body.errors?.[0]?.extensions?.code, url).toBe('VIDEO_URL_REFUSED');
    }
    for (const url of ['not a url', `https://videos.example/${'a'.repeat(2030)}.mp4`]) {
      const { body } = await gql(UploadVideoFromUrlDocument, { url }, asAlice);
      expect(body.errors?.[0]?.extensions?.code, url).toBe('INVALID_INPUT');
    }
    expect(urlUploads()).toBe(before);
    expect((await gql(VideosDocument, { nameContains: 'clip' }, asAlice)).body.data!.videos!.nodes).toEqual([]);
  });
});

describe('upload metadata', () => {
  const metadata = {
    tags: ['holiday', 'sea'],
    capturedAt: '2026-07-01T10:20:30.000Z',
    cameraModel: 'Pixel 9',
    location: { latitude: 43.7, longitude: 7.26 },
    transcriptionPrompt: 'Describe the boats',
  };

  it(
    family === 'v1' ? 'passes it on with both uploads' : 'is refused by the original family, asking MAVI nothing',
    async () => {
      const uploadsBefore = stack.simulator.stats.uploadRequests;
      const urlUploadsBefore = stack.simulator.calls.get('url-upload') ?? 0;
      const fromUrl = await gql(
        UploadVideoFromUrlDocument,
        { url: 'https://videos.example/boats.mp4', metadata },
        asAlice,
      );
      const file = await postMultipart(stack.graphqlUrl, {
        headers: asAlice,
        parts: [
          {
            name: 'operations',
            value: JSON.stringify({
              query: print(UploadVideoWithMetadataDocument),
              variables: { file: null, metadata },
            }),
          },
          { name: 'map', value: JSON.stringify({ 0: ['variables.file'] }) },
          { name: '0', fileName: 'boats.mp4', contentType: 'video/mp4', content: await collect(videoFile(2048)) },
        ],
      });
      if (family === 'v1') {
        for (const videoNo of [fromUrl.body.data!.uploadVideoFromUrl!.videoNo, file.json.data.uploadVideo.videoNo]) {
          const sent = stack.simulator.videos.get(videoNo)!;
          expect(sent.tags).toEqual(['holiday', 'sea']);
          expect(sent.fields).toMatchObject({
            datetime_taken: '2026-07-01 10:20:30',
            camera_model: 'Pixel 9',
            latitude: '43.7',
            longitude: '7.26',
            video_transcription_prompt: 'Describe the boats',
          });
        }
        const tooMany = await gql(
          UploadVideoFromUrlDocument,
          {
            url: 'https://videos.example/boats.mp4',
            metadata: { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) } as typeof metadata,
          },
          asAlice,
        );
        expect(tooMany.body.errors![0]!.message).toBe('At most 20 tags are taken; got 21. Nothing was sent to MAVI.');
      } else {
        const message =
          'This MAVI (the original API family) takes no upload metadata: leave out tags, capturedAt, cameraModel, location and transcriptionPrompt. Nothing was sent to MAVI.';
        expect(fromUrl.body.errors![0]).toMatchObject({ message, extensions: { code: 'INVALID_INPUT' } });
        expect(file.json.errors[0]).toMatchObject({ message, extensions: { code: 'INVALID_INPUT' } });
        expect(stack.simulator.stats.uploadRequests).toBe(uploadsBefore);
        expect(stack.simulator.calls.get('url-upload') ?? 0).toBe(urlUploadsBefore);
      }
    },
  );
});

/** The collector: --expose-gc set at run time takes effect for a new context's `gc`. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
}
