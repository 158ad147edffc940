/**
 * A chat answer is bounded and read leniently: an upstream that never ends is cut
 * (by duration and by size) with CHAT_ANSWER_TOO_LONG and aborted at MAVI; lines
 * that carry no piece are skipped; what a session stores of an answer is bounded,
 * whatever the size of one piece. MAVI here is the simulator with scripted answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatDocument } from '../../generated/operations.js';
import { testFamily } from '../../utils/family.js';
import { subscribeSse } from '../../utils/graphql-clients.js';
import { startStack, type Stack } from '../../utils/stack.js';
import { asAlice, TWO_CLIENT_KEYS, uploadSmallVideo } from '../../utils/two-clients.js';
import { waitUntil } from '../../utils/wait.js';

const family = testFamily();
const MAX_ANSWER_BYTES = 256 * 1024;
const MAX_ANSWER_MS = 1500;

/** One text piece in the family's own line format. */
const textLine = (text: string) =>
  family === 'v1'
    ? `data:${JSON.stringify({ type: 'content', role: 'assistant', content: text })}\n\n`
    : `data:${JSON.stringify({ code: '0000', msg: 'success', data: { msg: text } })}\n\n`;
/** The family's end of an answer (the original family's ends with the body). */
const endLine = family === 'v1' ? 'data:"Done"\n\n' : '';

let stack: Stack;
let videoNo: string;
/** Upstream chat responses the scripted answers wrote that closed before their end (the gateway aborted them). */
let abortedUpstreams = 0;
let openUpstreams = 0;

beforeAll(async () => {
  stack = await startStack({
    simulator: { manualCallbacks: true },
    env: {
      ...TWO_CLIENT_KEYS,
      CHAT_MAX_ANSWER_BYTES: String(MAX_ANSWER_BYTES),
      CHAT_MAX_ANSWER_MS: String(MAX_ANSWER_MS),
      RATE_LIMIT_CHAT_PER_MINUTE: '1000',
    },
  });
  videoNo = await uploadSmallVideo(stack.graphqlUrl, asAlice);
  await stack.simulator.setStatus(videoNo, 'PARSE', { notify: true });
  await waitUntil(async () => (await stack.gateway.parts.status.get(videoNo))?.status === 'PARSE', 'PARSE stored');
});
afterAll(() => stack.stop());

/** Answers the chat with an event stream the test writes; counts it until it closes. */
function scriptChat(write: (res: ServerResponse) => void, onRequestBody?: (body: string) => void): void {
  stack.simulator.endpointFaults.set('chat', {
    kind: 'answer',
    answer: (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.once('end', () => {
        onRequestBody?.(Buffer.concat(chunks).toString());
        openUpstreams += 1;
        res.once('close', () => {
          openUpstreams -= 1;
          if (!res.writableFinished) abortedUpstreams += 1;
        });
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        write(res);
      });
    },
  });
}

const ask = (message = 'What happens?', sessionId: string | null = null) =>
  subscribeSse(stack.graphqlUrl, ChatDocument, { videoNos: [videoNo], message, sessionId }, asAlice);

describe('chat answers are bounded', () => {
  it('an answer that keeps streaming past CHAT_MAX_ANSWER_BYTES is cut with CHAT_ANSWER_TOO_LONG, and MAVI aborted', async () => {
    const abortedBefore = abortedUpstreams;
    // 1 KiB pieces, as fast as the gateway reads them, without end.
    scriptChat((res) => {
      const piece = textLine('x'.repeat(1024));
      const pump = () => {
        while (!res.destroyed && res.write(piece));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const chat = ask();
    await chat.collected.ended();
    const last = chat.collected.events.at(-1)!;
    expect(last.errors![0]!.extensions).toMatchObject({ code: 'CHAT_ANSWER_TOO_LONG', retryable: false });
    expect(last.errors![0]!.message).toContain('CHAT_MAX_ANSWER_BYTES');
    const textBytes = chat.collected.events
      .map((event) => (event.data?.chat as { text?: string } | undefined)?.text ?? '')
      .join('').length;
    expect(textBytes).toBeLessThanOrEqual(MAX_ANSWER_BYTES);
    await waitUntil(() => abortedUpstreams === abortedBefore + 1 && openUpstreams === 0, 'MAVI request aborted');
    await waitUntil(() => stack.gateway.parts.chats.streaming === 0, 'chat released');
  });

  it('an answer still streaming at CHAT_MAX_ANSWER_MS is cut with CHAT_ANSWER_TOO_LONG, and MAVI aborted', async () => {
    const abortedBefore = abortedUpstreams;
    // One piece, then an upstream that stays open and silent: only the duration bound can end it.
    scriptChat((res) => res.write(textLine('Thinking… ')));
    const chat = ask();
    await chat.collected.ended(30_000);
    const last = chat.collected.events.at(-1)!;
    expect(last.errors![0]!.extensions).toMatchObject({ code: 'CHAT_ANSWER_TOO_LONG' });
    expect(last.errors![0]!.message).toContain('CHAT_MAX_ANSWER_MS');
    expect(chat.collected.events[0]!.data!.chat).toEqual({ __typename: 'ChatText', text: 'Thinking… ' });
    await waitUntil(() => abortedUpstreams === abortedBefore + 1 && openUpstreams === 0, 'MAVI request aborted');
    await waitUntil(() => stack.gateway.parts.chats.streaming === 0, 'chat released');
  });
});

describe('chat stream lines', () => {
  it('lines that carry no piece (an empty list, a keep-alive object, null) are skipped, and the answer goes on', async () => {
    scriptChat((res) => {
      res.write(textLine('Hello '));
      res.write('data: []\n\n');
      res.write('data: {"event":"ping"}\n\n');
      res.write('data: null\n\n');
      res.write(textLine('world.'));
      res.end(endLine);
    });
    const chat = ask();
    await chat.collected.ended();
    const events = chat.collected.events.map((event) => event.data?.chat ?? event.errors);
    expect(events.slice(0, 2)).toEqual([
      { __typename: 'ChatText', text: 'Hello ' },
      { __typename: 'ChatText', text: 'world.' },
    ]);
    expect(events[2]).toMatchObject({ __typename: 'ChatDone' });
    expect(events).toHaveLength(3);
  });
});

describe.skipIf(family === 'v1')('a session stores a bounded answer (the original family re-sends history)', () => {
  it('a piece larger than the 64 KiB session cap is not stored whole, nor sent to MAVI again on the next turn', async () => {
    scriptChat((res) => {
      res.write(textLine('y'.repeat(100 * 1024))); // one piece over the history cap, under the answer bound
      res.end(endLine);
    });
    const first = ask('Describe it.');
    await first.collected.ended();
    const done = first.collected.events.at(-1)!.data!.chat as { __typename: string; sessionId: string };
    expect(done.__typename).toBe('ChatDone');
    expect((first.collected.events[0]!.data!.chat as { text: string }).text).toHaveLength(100 * 1024); // relayed whole

    let sentHistory: { user: string; robot: string }[] = [];
    scriptChat(
      (res) => res.end(textLine('Short.')),
      (body) => {
        sentHistory = (JSON.parse(body) as { history: { user: string; robot: string }[] }).history;
      },
    );
    const second = ask('And then?', done.sessionId);
    await second.collected.ended();
    expect(sentHistory).toHaveLength(1);
    const turnChars = sentHistory[0]!.user.length + sentHistory[0]!.robot.length;
    expect(turnChars).toBeLessThanOrEqual(64 * 1024);
    expect(sentHistory[0]!.robot).toBe('y'.repeat(64 * 1024 - 'Describe it.'.length));
  });
});
