/**
 * Live connections end when the token they were opened with expires: a
 * websocket is closed with 4403 and a reason that says so, an SSE subscription's
 * last event is UNAUTHENTICATED, and a chat's stream from MAVI is aborted then.
 * The tokens here expire a few seconds after they are made; the tests wait for
 * the ends, not for the time.
 */
import type { ServerResponse } from 'node:http';
import { createClient } from 'graphql-ws';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ChatDocument, VideoStatusDocument } from '../../generated/operations.js';
import { testFamily } from '../../utils/family.js';
import { subscribeSse, subscribeWs, wsClient } from '../../utils/graphql-clients.js';
import { bearer, startTokenStack, TestIdentityProvider } from '../../utils/identity-provider.js';
import type { Stack } from '../../utils/stack.js';
import { uploadSmallVideo } from '../../utils/two-clients.js';
import { waitUntil } from '../../utils/wait.js';

/** Long enough to open every stream on a busy machine, short enough to wait for. */
const SHORT_LIFE_SECONDS = 6;

const provider = new TestIdentityProvider();
let stack: Stack;
/** A video still processing (no callback comes): its videoStatus subscription stays open. */
let processing: string;
/** A processed video, to chat about. */
let processed: string;
let openUpstreams = 0;

beforeAll(async () => {
  await provider.start();
  stack = await startTokenStack(provider, {
    simulator: { manualCallbacks: true },
    // No skew allowed: the streams end when the token's exp says, not 30 s later.
    env: { RATE_LIMIT_CHAT_PER_MINUTE: '1000', AUTH_CLOCK_TOLERANCE_SECONDS: '0' },
  });
  const owner = bearer(await provider.token('alice'));
  processing = await uploadSmallVideo(stack.graphqlUrl, owner);
  processed = await uploadSmallVideo(stack.graphqlUrl, owner);
  await stack.simulator.setStatus(processed, 'PARSE', { notify: true });
  await waitUntil(async () => (await stack.gateway.parts.status.get(processed))?.status === 'PARSE', 'PARSE stored');
  // A chat answer that never ends: only the gateway can end it.
  stack.simulator.endpointFaults.set('chat', {
    kind: 'answer',
    answer: (req, res: ServerResponse) => {
      req.resume();
      req.once('end', () => {
        openUpstreams += 1;
        res.once('close', () => (openUpstreams -= 1));
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const piece =
          testFamily() === 'v1'
            ? { type: 'content', role: 'assistant', content: 'thinking…' }
            : { code: '0000', msg: 'success', data: { msg: 'thinking…' } };
        res.write(`data:${JSON.stringify(piece)}\n\n`);
      });
    },
  });
});

afterAll(async () => {
  await stack?.stop();
  await provider.stop();
});

describe('a token that expires while connected', () => {
  it('closes the websocket with 4403, ends the SSE subscription and aborts the chat at MAVI', async () => {
    const token = await provider.token('alice', { expiresIn: SHORT_LIFE_SECONDS });

    const client = wsClient(stack.wsUrl, bearer(token));
    let closed: { code: number; reason: string } | undefined;
    client.on('closed', (event) => {
      closed = event as { code: number; reason: string };
    });
    const ws = subscribeWs(client, VideoStatusDocument, { videoNo: processing });
    const sse = subscribeSse(stack.graphqlUrl, VideoStatusDocument, { videoNo: processing }, bearer(token));
    const chat = subscribeSse(
      stack.graphqlUrl,
      ChatDocument,
      { videoNos: [processed], message: 'What happens?', sessionId: null },
      bearer(token),
    );
    await Promise.all([ws.collected.waitForEvents(1), sse.collected.waitForEvents(1), chat.collected.waitForEvents(1)]);
    expect(openUpstreams).toBe(1);

    await Promise.all([ws.collected.ended(), sse.collected.ended(), chat.collected.ended()]);
    expect(closed?.code).toBe(4403);
    expect(closed?.reason).toMatch(/token expired/);
    for (const stream of [sse, chat]) {
      const last = stream.collected.events.at(-1)!;
      expect(last.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
      expect(last.errors![0]!.message).toMatch(/token expired/);
    }
    await waitUntil(() => openUpstreams === 0, "the chat's call to MAVI aborted");
    await client.dispose();
  });

  it('lets a graphql-ws client whose connectionParams is a function reconnect with a fresh token and go on', async () => {
    let connections = 0;
    const client = createClient({
      url: stack.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 5,
      // As the README's recipe: every (re)connection asks for the current token; the first one is short-lived.
      connectionParams: async () =>
        bearer(await provider.token('alice', { expiresIn: connections === 0 ? SHORT_LIFE_SECONDS : 3600 })),
    });
    client.on('connected', () => (connections += 1));
    const statuses: string[] = [];
    let sawParse!: () => void;
    const parsed = new Promise<void>((resolve) => (sawParse = resolve));
    const unsubscribe = client.subscribe<{ videoStatus: { status: string } }>(
      { query: print(VideoStatusDocument), variables: { videoNo: processing } },
      {
        next: (event) => {
          const status = event.data?.videoStatus.status;
          if (status) statuses.push(status);
          if (status === 'PARSE') sawParse();
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
    try {
      // The gateway closes the first socket at the token's expiry; the client connects again by itself.
      await waitUntil(() => connections === 2 && statuses.length >= 2, 'reconnected with a fresh token');
      await stack.simulator.setStatus(processing, 'PARSE', { notify: true });
      await parsed;
      expect(statuses).toEqual(['UNPARSE', 'UNPARSE', 'PARSE']);
    } finally {
      unsubscribe();
      await client.dispose();
    }
  });
});
