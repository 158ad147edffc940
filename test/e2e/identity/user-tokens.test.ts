/**
 * End users' tokens (AUTH_ISSUER): a real OpenID provider of the test's own
 * (test/utils/identity-provider.ts) serves discovery and keys over HTTP and signs
 * real tokens; the gateway verifies them locally. Two users see only their own
 * videos, every bad token is refused with a message that names what was wrong,
 * keys rotate without a restart, a flood of made-up key ids costs the provider
 * next to nothing, and the provider going away stops no token signed with a
 * known key.
 */
import { SignJWT, UnsecuredJWT, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChatDocument,
  DeleteVideosDocument,
  SearchClipsDocument,
  SearchVideosDocument,
  TranscriptDocument,
  TranscriptReadyDocument,
  VideoDocument,
  VideosDocument,
  VideoStatusDocument,
} from '../../generated/operations.js';
import { postGraphQL, subscribeSse, subscribeWs, wsClient } from '../../utils/graphql-clients.js';
import { bearer, startTokenStack, TestIdentityProvider } from '../../utils/identity-provider.js';
import { startStack, type Stack } from '../../utils/stack.js';
import { uploadSmallVideo } from '../../utils/two-clients.js';
import { waitUntil } from '../../utils/wait.js';

const provider = new TestIdentityProvider();
let stack: Stack;
const FIRST_PAGE = { first: 50, after: null, status: null, nameContains: null };

beforeAll(async () => {
  await provider.start();
  // A short cool-down, so that the rotation below is picked up by the next token that needs it.
  stack = await startTokenStack(provider, { env: { AUTH_JWKS_COOLDOWN_MS: '200' } });
});

afterAll(async () => {
  await stack?.stop();
  await provider.stop();
});

/** The refusal a request with this Authorization value gets: its status, code and message. */
async function refusalOf(headers: Record<string, string>) {
  const answer = await postGraphQL(stack.graphqlUrl, VideosDocument, FIRST_PAGE, headers);
  const error = answer.body.errors?.[0];
  return { status: answer.status, code: error?.extensions?.code, message: error?.message ?? '' };
}

describe('two signed-in users', () => {
  it('each sees only their own videos: another user’s video is answered as an unknown one', async () => {
    const [alice, bob] = [bearer(await provider.token('alice')), bearer(await provider.token('bob'))];
    const alices = await uploadSmallVideo(stack.graphqlUrl, alice);
    const bobs = await uploadSmallVideo(stack.graphqlUrl, bob);

    const list = async (headers: Record<string, string>) =>
      (await postGraphQL(stack.graphqlUrl, VideosDocument, FIRST_PAGE, headers)).body.data!.videos!.nodes.map(
        (node) => node.videoNo,
      );
    expect(await list(alice)).toEqual([alices]);
    expect(await list(bob)).toEqual([bobs]);

    const theirs = await postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo: alices }, bob);
    const unknown = await postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo: 'mavi_video_unknown' }, bob);
    expect(theirs.body).toEqual({ data: { video: null } });
    expect(theirs.body).toEqual(unknown.body);

    const deleted = await postGraphQL(stack.graphqlUrl, DeleteVideosDocument, { videoNos: [alices] }, bob);
    expect(deleted.body.data!.deleteVideos!.deleted).toEqual([]);
    expect(await list(alice)).toEqual([alices]);

    // Subscriptions: over SSE and over a websocket whose connectionParams carry the token.
    const sse = subscribeSse(stack.graphqlUrl, VideoStatusDocument, { videoNo: alices }, bob);
    await sse.collected.ended();
    expect(JSON.stringify(sse.collected.events)).toContain('VIDEO_NOT_FOUND');
    const client = wsClient(stack.wsUrl, bob);
    try {
      const ws = subscribeWs(client, VideoStatusDocument, { videoNo: alices });
      await ws.collected.ended();
      expect(JSON.stringify(ws.collected.error ?? ws.collected.events)).toContain('VIDEO_NOT_FOUND');
      const own = subscribeWs(client, VideoStatusDocument, { videoNo: bobs });
      const [first] = await own.collected.waitForEvents(1);
      expect(first!.data!.videoStatus.videoNo).toBe(bobs);
      own.unsubscribe();
    } finally {
      await client.dispose();
    }
  });

  it('answers another user’s video as an unknown one in search, clips, chat, transcripts and transcriptReady', async () => {
    const [alice, bob] = [bearer(await provider.token('alice')), bearer(await provider.token('bob'))];
    const alices = await uploadSmallVideo(stack.graphqlUrl, alice);
    await waitUntil(async () => (await stack.gateway.parts.status.get(alices))?.status === 'PARSE', 'PARSE');
    const UNKNOWN = 'mavi_video_unknown';
    /** Bob's answer about Alice's video, and about an unknown one, with the ids made alike. */
    const same = async <T>(run: (videoNo: string) => Promise<T>, answer = 'VIDEO_NOT_FOUND') => {
      const theirs = JSON.stringify(await run(alices)).replaceAll(alices, 'X');
      const unknown = JSON.stringify(await run(UNKNOWN)).replaceAll(UNKNOWN, 'X');
      expect(theirs).toContain(answer);
      expect(theirs).toBe(unknown);
    };
    await same((videoNo) =>
      postGraphQL(
        stack.graphqlUrl,
        SearchClipsDocument,
        { query: 'clip', videoNos: [videoNo], first: 5, minScore: null },
        bob,
      ),
    );
    // A lookup by id answers null, like `video`; the subscriptions below refuse.
    await same(
      async (videoNo) =>
        (await postGraphQL(stack.graphqlUrl, TranscriptDocument, { videoNo, kind: 'SPEECH' }, bob)).body,
      '{"data":{"transcript":null}}',
    );
    await same(async (videoNo) => {
      const chat = subscribeSse(
        stack.graphqlUrl,
        ChatDocument,
        { videoNos: [videoNo], message: 'Hi', sessionId: null },
        bob,
      );
      await chat.collected.ended();
      return chat.collected.events;
    });
    await same(async (videoNo) => {
      const client = wsClient(stack.wsUrl, bob);
      try {
        const ready = subscribeWs(client, TranscriptReadyDocument, { videoNo, kind: 'SPEECH' });
        await ready.collected.ended();
        return ready.collected.error ?? ready.collected.events;
      } finally {
        await client.dispose();
      }
    });
    // Bob's searches never name Alice's video; Alice's do.
    const search = (headers: Record<string, string>) =>
      postGraphQL(stack.graphqlUrl, SearchVideosDocument, { query: 'clip', first: 50 }, headers);
    expect(JSON.stringify((await search(bob)).body)).not.toContain(alices);
    expect(JSON.stringify((await search(alice)).body)).toContain(alices);
  });

  it('keeps a user’s videos across tokens: a fresh token of the same user sees them', async () => {
    const first = bearer(await provider.token('carol'));
    const videoNo = await uploadSmallVideo(stack.graphqlUrl, first);
    const later = bearer(await provider.token('carol', { expiresIn: 7200 }));
    const answer = await postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo }, later);
    expect(answer.body.data!.video!.videoNo).toBe(videoNo);
  });

  it('refuses a token the gateway remembers as verified from the moment it expires', async () => {
    // Expired 25 s ago: inside the 30 s clock tolerance for five seconds more.
    const token = bearer(await provider.token('dave', { expiresIn: -25 }));
    const accepted = await postGraphQL(stack.graphqlUrl, VideosDocument, FIRST_PAGE, token);
    expect(accepted.body.errors).toBeUndefined();
    await waitUntil(
      async () => {
        const answer = await postGraphQL(stack.graphqlUrl, VideosDocument, FIRST_PAGE, token);
        return answer.body.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED';
      },
      'the remembered token refused once expired',
      15_000,
    );
  });
});

describe('tokens that are refused', () => {
  it('names what is wrong with each: 401 UNAUTHENTICATED, and the token never reaches the log', async () => {
    const now = Math.floor(Date.now() / 1000);
    const good = await provider.token('alice');
    const [header, payload, signature] = good.split('.') as [string, string, string];
    const tampered = `${header}.${Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'mallory' }),
    ).toString('base64url')}.${signature}`;
    // The classic forgery: HS256 "signed" with the provider's public key as the secret.
    const publicKeyAsSecret = new TextEncoder().encode(JSON.stringify(provider.publicJwk));
    const hs256 = await new SignJWT({ sub: 'mallory' })
      .setProtectedHeader({ alg: 'HS256', kid: provider.publicJwk.kid })
      .setIssuer(provider.issuer)
      .setAudience(provider.audience)
      .setExpirationTime(now + 600)
      .sign(publicKeyAsSecret);
    const none = new UnsecuredJWT({ sub: 'mallory' })
      .setIssuer(provider.issuer)
      .setAudience(provider.audience)
      .setExpirationTime(now + 600)
      .encode();
    // A key of the attacker's own, under a key id the provider never published.
    const foreignKey = await importJWK(
      {
        kty: 'EC',
        crv: 'P-256',
        x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
        y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
        d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI',
      },
      'ES256',
    );
    const unknownKid = await new SignJWT({ sub: 'mallory' })
      .setProtectedHeader({ alg: 'ES256', kid: 'made-up-kid' })
      .setIssuer(provider.issuer)
      .setAudience(provider.audience)
      .setExpirationTime(now + 600)
      .sign(foreignKey);

    const cases: [string, string, RegExp][] = [
      ['missing', '', /token or client key is required/],
      ['malformed', 'Bearer bm90.anNvbg.c2ln', /malformed/],
      ['expired', `Bearer ${await provider.token('alice', { expiresIn: -3600 })}`, /expired/],
      ['not yet valid', `Bearer ${await provider.token('alice', { claims: { nbf: now + 3600 } })}`, /not valid yet/],
      [
        'wrong issuer',
        `Bearer ${await provider.token('alice', { claims: { iss: 'https://evil.example' } })}`,
        /issuer/,
      ],
      ['wrong audience', `Bearer ${await provider.token('alice', { claims: { aud: 'another-app' } })}`, /audience/],
      ['alg none', `Bearer ${none}`, /algorithm is not accepted/],
      ['HS256 with the public key', `Bearer ${hs256}`, /algorithm is not accepted/],
      ['unknown kid', `Bearer ${unknownKid}`, /key the identity provider does not publish/],
      ['tampered payload', `Bearer ${tampered}`, /signature does not verify/],
    ];
    for (const [name, authorization, message] of cases) {
      const refused = await refusalOf(authorization ? { authorization } : {});
      expect({ name, status: refused.status, code: refused.code }).toEqual({
        name,
        status: 401,
        code: 'UNAUTHENTICATED',
      });
      expect(refused.message, name).toMatch(message);
      // A websocket carrying the same token is closed with 4403 Forbidden.
      if (authorization) {
        const client = wsClient(stack.wsUrl, { authorization });
        let closeCode: number | undefined;
        client.on('closed', (event) => {
          closeCode = (event as { code: number }).code;
        });
        const ws = subscribeWs(client, VideoStatusDocument, { videoNo: 'mavi_video_x' });
        await ws.collected.ended();
        expect(closeCode, name).toBe(4403);
        await client.dispose();
      }
    }
    // A token in a claim's place (say, a log line quoting a header) is scrubbed.
    expect(stack.logs.some((line) => /eyJ[\w-]{2,}\.[\w-]{2,}\./.test(line))).toBe(false);
  });
});

describe('the provider’s keys', () => {
  it('rotate without a restart: a token signed with a new key is accepted after one refresh', async () => {
    const oldKeyToken = await provider.token('dan');
    await provider.rotate(true);
    const before = provider.asked.jwks;
    const token = bearer(await provider.token('dan'));
    // Accepted once the cool-down since the last load has passed: the token's unknown kid refreshes the keys.
    await waitUntil(
      async () => (await postGraphQL(stack.graphqlUrl, VideosDocument, FIRST_PAGE, token)).status === 200,
      'the new key accepted',
    );
    expect(provider.asked.jwks).toBeGreaterThan(before);
    // The withdrawn key is no longer trusted.
    expect((await refusalOf(bearer(oldKeyToken))).message).toMatch(/key the identity provider does not publish/);
  });

  it('a flood of 500 tokens with made-up key ids costs the provider at most one more key-set request', async () => {
    // The default cool-down (30 s): the flood comes well within it.
    const flooded = await startTokenStack(provider);
    const before = provider.asked.jwks;
    const forged = await Promise.all(
      Array.from({ length: 500 }, (_, index) => provider.token('mallory', { kid: `made-up-${index}` })),
    );
    const answers = await Promise.all(
      forged.map((token) => postGraphQL(flooded.graphqlUrl, VideosDocument, FIRST_PAGE, bearer(token))),
    );
    await flooded.stop();
    expect(answers.every((answer) => answer.status === 401)).toBe(true);
    expect(provider.asked.jwks - before).toBeLessThanOrEqual(1);
  });

  it('a provider that goes away stops no token signed with a known key, and the gateway stays ready', async () => {
    const token = await provider.token('erin');
    provider.available = false;
    try {
      const answer = await postGraphQL(stack.graphqlUrl, VideosDocument, FIRST_PAGE, bearer(token));
      expect(answer.status).toBe(200);
      expect((await fetch(`${stack.url}/ready`)).status).toBe(200);
    } finally {
      provider.available = true;
    }
  });
});

describe('a gateway whose provider is away at start', () => {
  it('starts not ready, refuses tokens with IDENTITY_PROVIDER_UNAVAILABLE, and becomes ready once the keys load', async () => {
    const late = new TestIdentityProvider();
    await late.start();
    late.available = false;
    const gateway = await startStack({ env: late.env });
    try {
      await waitUntil(
        () => gateway.logs.some((line) => line.includes("could not load the identity provider's keys")),
        'a failed load',
      );
      expect((await fetch(`${gateway.url}/ready`)).status).toBe(503);
      const refused = await postGraphQL(
        gateway.graphqlUrl,
        VideosDocument,
        FIRST_PAGE,
        bearer(await late.token('fay')),
      );
      expect(refused.status).toBe(503);
      expect(refused.body.errors![0]!.extensions!.code).toBe('IDENTITY_PROVIDER_UNAVAILABLE');
      // A websocket is told to try again later (1013), not that its token is forbidden.
      const client = wsClient(gateway.wsUrl, bearer(await late.token('fay')));
      let closeCode: number | undefined;
      client.on('closed', (event) => {
        closeCode = (event as { code: number }).code;
      });
      const ws = subscribeWs(client, VideoStatusDocument, { videoNo: 'mavi_video_x' });
      await ws.collected.ended();
      expect(closeCode).toBe(1013);
      await client.dispose();
      late.available = true;
      await waitUntil(async () => (await fetch(`${gateway.url}/ready`)).status === 200, 'ready once the keys load');
      const answer = await postGraphQL(gateway.graphqlUrl, VideosDocument, FIRST_PAGE, bearer(await late.token('fay')));
      expect(answer.body.errors).toBeUndefined();
    } finally {
      await gateway.stop();
      await late.stop();
    }
  });
});

describe('a provider whose key set never ends', () => {
  it('is read no further than its bound: the load fails, named in the log, and the gateway stays not ready', async () => {
    const endless = new TestIdentityProvider();
    await endless.start();
    endless.endlessKeySet = true;
    const gateway = await startStack({ env: endless.env });
    try {
      await waitUntil(() => gateway.logs.some((line) => line.includes('is larger than')), 'the load cut at its bound');
      expect((await fetch(`${gateway.url}/ready`)).status).toBe(503);
    } finally {
      await gateway.stop();
      await endless.stop();
    }
  });
});
