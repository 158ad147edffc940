/**
 * SSE subscriptions to shareable fields are served by the gateway itself
 * (server/event-streams.ts): one caller's identical SSE subscriptions share one
 * bus listener and one execution per event, yet each stream is what Yoga would
 * have sent alone (the same headers and events, the refusals with their HTTP
 * status), and whatever is not a shareable subscription is still Yoga's.
 */
import { connect } from 'node:net';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideosDocument, VideoStatusDocument } from '../../generated/operations.js';
import { subscribeSse } from '../../utils/graphql-clients.js';
import { startStack, type Stack } from '../../utils/stack.js';
import { asAlice, asBob, TWO_CLIENT_KEYS, uploadSmallVideo } from '../../utils/two-clients.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ simulator: { manualCallbacks: true }, env: TWO_CLIENT_KEYS });
});
afterAll(() => stack.stop());

const QUERY = 'subscription ($videoNo: ID!) { videoStatus(videoNo: $videoNo) { videoNo status } }';

/** Resolves once `condition` holds (checked as the gateway works, never after a fixed wait). */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const listeners = (count: number) =>
  until(() => stack.gateway.parts.events.size === count, `${count} bus listeners (${stack.gateway.parts.events.size})`);

/** An SSE request read as raw text: its status, headers, and the body as it arrives. */
async function rawStream(init: { method?: string; url?: string; body?: string; headers?: Record<string, string> }) {
  const controller = new AbortController();
  const response = await fetch(init.url ?? stack.graphqlUrl, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...asAlice, ...init.headers },
    ...(init.body === undefined ? {} : { body: init.body }),
    signal: controller.signal,
  });
  const stream = { response, text: '', ended: false, close: () => controller.abort() };
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body!) stream.text += decoder.decode(chunk as Uint8Array, { stream: true });
    } catch {
      // closed by the test
    }
    stream.ended = true;
  })();
  return stream;
}

const nextEvent = (videoNo: string, status: string) =>
  `event: next\ndata: ${JSON.stringify({ data: { videoStatus: { videoNo, status } } })}\n\n`;

describe('SSE subscriptions the gateway serves itself', () => {
  it('share one listener per caller, operation and video; each stream gets the status, every change, then complete', async () => {
    const videoNo = await uploadSmallVideo(stack.graphqlUrl, asAlice);
    const body = JSON.stringify({ query: QUERY, variables: { videoNo } });
    const streams = await Promise.all([1, 2, 3, 4, 5].map(() => rawStream({ body })));
    await until(() => streams.every((s) => s.text.includes('event: next')), 'every first event');
    await listeners(1);
    for (const { response } of streams) {
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      expect(response.headers.get('x-accel-buffering')).toBe('no');
      expect(response.headers.get('cache-control')).toBe('no-cache');
    }

    await stack.simulator.sendCallback(videoNo, 'UNPARSE'); // not a change: nothing is sent
    await stack.simulator.sendCallback(videoNo, 'PARSE');
    await until(() => streams.every((s) => s.ended), 'every stream ended');
    for (const { text } of streams) {
      expect(text).toBe(
        `:\n\n${nextEvent(videoNo, 'UNPARSE')}${nextEvent(videoNo, 'PARSE')}event: complete\ndata:\n\n`,
      );
    }
    await listeners(0);
  });

  it('a stream that joins later gets the latest status first; one that leaves gets nothing more; the last out frees the listener', async () => {
    const videoNo = await uploadSmallVideo(stack.graphqlUrl, asAlice);
    const body = JSON.stringify({ query: QUERY, variables: { videoNo } });
    const [stays, leaves] = await Promise.all([rawStream({ body }), rawStream({ body })]);
    await until(() => stays.text.includes('event: next') && leaves.text.includes('event: next'), 'first events');
    leaves.close();
    await until(() => leaves.ended, 'the leaver closed');
    // A GET with the same operation and variables joins the same group.
    const search = new URLSearchParams({ query: QUERY, variables: JSON.stringify({ videoNo }) });
    const late = await rawStream({ method: 'GET', url: `${stack.graphqlUrl}?${search}` });
    await until(() => late.text.includes('event: next'), 'the late first event');
    await listeners(1);
    expect(late.text).toBe(`:\n\n${nextEvent(videoNo, 'UNPARSE')}`);

    stays.close();
    late.close();
    await listeners(0);
    expect(leaves.text).toBe(`:\n\n${nextEvent(videoNo, 'UNPARSE')}`);
  });

  it("refuses another caller's video with VIDEO_NOT_FOUND and listens to nothing for it", async () => {
    const videoNo = await uploadSmallVideo(stack.graphqlUrl, asAlice);
    const bob = await rawStream({ body: JSON.stringify({ query: QUERY, variables: { videoNo } }), headers: asBob });
    await until(() => bob.ended, "Bob's answer");
    expect(bob.response.headers.get('content-type')).toBe('text/event-stream');
    const [, opening, next, complete] = /^(:\n\n)(event: next\ndata: .*\n\n)(event: complete\ndata:\n\n)$/s.exec(
      bob.text,
    )!;
    expect(opening).toBe(':\n\n');
    expect(JSON.parse(next!.slice('event: next\ndata: '.length))).toMatchObject({
      errors: [{ extensions: { code: 'VIDEO_NOT_FOUND' } }],
    });
    expect(complete).toBeDefined();
    expect(bob.text).not.toContain('"http"');
    await listeners(0);
  });

  it('leaves queries, broken operations and bodies that are not JSON objects to Yoga, which answers them as before', async () => {
    const query = subscribeSse(
      stack.graphqlUrl,
      VideosDocument,
      { first: 1, after: null, status: null, nameContains: null },
      asAlice,
    );
    await query.collected.ended();
    expect(query.collected.events).toHaveLength(1);
    expect(query.collected.events[0]!.data!.videos).toBeDefined();

    const broken = await rawStream({ body: JSON.stringify({ query: 'subscription { videoStatus(' }) });
    await until(() => broken.ended, 'the syntax error');
    expect(broken.text).toContain('Syntax Error');

    const notAnObject = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...asAlice },
      body: '[1, 2]',
    });
    expect(notAnObject.status).toBeGreaterThanOrEqual(400);
    await notAnObject.text();
    await listeners(0);
  });

  it('an unknown field in a shareable selection is a validation error, answered as one event', async () => {
    const videoNo = await uploadSmallVideo(stack.graphqlUrl, asAlice);
    const invalid = await rawStream({
      body: JSON.stringify({
        query: 'subscription ($videoNo: ID!) { videoStatus(videoNo: $videoNo) { nosuchfield } }',
        variables: { videoNo },
      }),
    });
    await until(() => invalid.ended, 'the validation error');
    expect(invalid.text).toContain('nosuchfield');
    expect(invalid.text.endsWith('event: complete\ndata:\n\n')).toBe(true);
    await listeners(0);
  });
});

describe('SSE subscriptions the gateway serves itself, against vanishing clients', () => {
  const connections = () =>
    new Promise<number>((resolve, reject) =>
      stack.gateway.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    );

  it('a client gone mid-body, or mid-start, leaves no stream, listener or error behind', async () => {
    const videoNo = await uploadSmallVideo(stack.graphqlUrl, asAlice);
    const url = new URL(stack.graphqlUrl);
    const body = JSON.stringify({ query: QUERY, variables: { videoNo } });
    const logsBefore = stack.logs.length;
    const connectionsBefore = await connections(); // the test's own keep-alive connections
    for (const cut of [1, Math.floor(body.length / 2), body.length - 1, body.length]) {
      await new Promise<void>((resolve) => {
        const socket = connect(Number(url.port), url.hostname);
        socket.on('error', () => undefined);
        socket.once('close', () => resolve());
        socket.write(
          `POST /graphql HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\n` +
            `accept: text/event-stream\r\nauthorization: ${asAlice.authorization}\r\n` +
            `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, cut)}`,
          () => socket.destroy(),
        );
      });
    }
    const stillOpen = async () => (await connections()) > connectionsBefore;
    const deadline = Date.now() + 10_000;
    while (await stillOpen()) {
      if (Date.now() > deadline) throw new Error('the gateway kept a vanished connection');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await listeners(0);
    const errors = stack.logs.slice(logsBefore).filter((line) => /"level":"error"/.test(line));
    expect(errors).toEqual([]);
    // The client's share of streams is whole: a stream opens and follows as before.
    const again = await rawStream({ body });
    await until(() => again.text.includes('event: next'), 'a fresh stream');
    again.close();
    await listeners(0);
  });
});

describe('SSE subscriptions the gateway serves itself keep per-subscriber limits', () => {
  it('each stream spends its own operation turn: over quota it is RATE_LIMITED with HTTP 429, the group untouched', async () => {
    const limited = await startStack({
      simulator: { manualCallbacks: true },
      env: { ...TWO_CLIENT_KEYS, OPERATIONS_PER_MINUTE: '3' },
    });
    try {
      const videoNo = await uploadSmallVideo(limited.graphqlUrl, asAlice); // turn 1
      const open = () => subscribeSse(limited.graphqlUrl, VideoStatusDocument, { videoNo }, asAlice);
      const [a, b] = [open(), open()]; // turns 2 and 3
      await Promise.all([a.collected.waitForEvents(1), b.collected.waitForEvents(1)]);
      const response = await fetch(limited.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...asAlice },
        body: JSON.stringify({ query: print(VideoStatusDocument), variables: { videoNo } }),
      });
      expect(response.status).toBe(429);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await response.text()).toContain('RATE_LIMITED');

      await limited.simulator.sendCallback(videoNo, 'PARSE');
      for (const { collected } of [a, b]) {
        await collected.ended();
        expect(collected.events.map((event) => event.data?.videoStatus.status)).toEqual(['UNPARSE', 'PARSE']);
      }
    } finally {
      await limited.stop();
    }
  });
});
