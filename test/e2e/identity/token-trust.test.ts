/**
 * What the identity layer trusts, attacked over real sockets with the tests' own
 * OpenID provider: a discovery document that names another issuer or an insecure
 * key set, tokens of other kinds, dates no clock reaches, two Authorization
 * headers, claims that would share a partition, a key-less token mid-rotation, and
 * a client key shaped like a token.
 */
import { createHash } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimsDigest } from '../../../src/identity.js';
import { loadConfig } from '../../../src/config.js';
import { VideosDocument, VideoStatusDocument } from '../../generated/operations.js';
import { postGraphQL, subscribeWs, wsClient } from '../../utils/graphql-clients.js';
import { bearer, startTokenStack, TestIdentityProvider } from '../../utils/identity-provider.js';
import { sendRaw } from '../../utils/raw-http.js';
import { startStack, type Stack } from '../../utils/stack.js';
import { uploadSmallVideo } from '../../utils/two-clients.js';
import { waitUntil } from '../../utils/wait.js';

const FIRST_PAGE = { first: 50, after: null, status: null, nameContains: null };
const provider = new TestIdentityProvider();
let stack: Stack;

beforeAll(async () => {
  await provider.start();
  stack = await startTokenStack(provider, { env: { AUTH_TENANT_CLAIM: 'org' } });
});

afterAll(async () => {
  await stack?.stop();
  await provider.stop();
});

async function refusalOf(authorization: string) {
  const answer = await postGraphQL(stack.graphqlUrl, VideosDocument, FIRST_PAGE, { authorization });
  const error = answer.body.errors?.[0];
  return { status: answer.status, code: error?.extensions?.code, message: error?.message ?? '' };
}

const listed = async (authorization: string) =>
  (await postGraphQL(stack.graphqlUrl, VideosDocument, FIRST_PAGE, { authorization })).body.data?.videos?.nodes.map(
    (node) => node.videoNo,
  );

/** A gateway in front of `doctored`, left running until its failed load is logged; returns that line and /ready. */
async function loadAgainst(doctored: TestIdentityProvider, logged: RegExp) {
  const gateway = await startStack({ env: doctored.env });
  try {
    await waitUntil(() => gateway.logs.some((line) => logged.test(line)), `a failed load matching ${logged}`);
    const token = await doctored.token('mallory');
    const answer = await postGraphQL(gateway.graphqlUrl, VideosDocument, FIRST_PAGE, bearer(token));
    return {
      line: gateway.logs.find((line) => logged.test(line))!,
      ready: (await fetch(`${gateway.url}/ready`)).status,
      tokenCode: answer.body.errors?.[0]?.extensions?.code,
    };
  } finally {
    await gateway.stop();
  }
}

describe('the discovery document', () => {
  it('is not used when it names another issuer: the gateway stays not ready and logs both values', async () => {
    const doctored = new TestIdentityProvider();
    await doctored.start();
    doctored.discoveryOverrides.issuer = 'https://impostor.example';
    try {
      const { line, ready, tokenCode } = await loadAgainst(doctored, /names the issuer/);
      expect(line).toContain('https://impostor.example');
      expect(line).toContain(doctored.issuer);
      expect(ready).toBe(503);
      expect(tokenCode).toBe('IDENTITY_PROVIDER_UNAVAILABLE');
    } finally {
      await doctored.stop();
    }
  });

  it('is not used when its jwks_uri is not https (a data: URL holding an attacker’s key)', async () => {
    const doctored = new TestIdentityProvider();
    await doctored.start();
    const attacker = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(attacker.publicKey)), kid: 'attacker', alg: 'ES256' };
    doctored.discoveryOverrides.jwks_uri = `data:application/json,${encodeURIComponent(JSON.stringify({ keys: [jwk] }))}`;
    try {
      const { line, ready } = await loadAgainst(doctored, /names the jwks_uri/);
      expect(line).toMatch(/https only/);
      expect(ready).toBe(503);
    } finally {
      await doctored.stop();
    }
  });

  it('logs why an unreachable issuer could not be reached (ECONNREFUSED), not "fetch failed"', async () => {
    const gone = new TestIdentityProvider();
    await gone.start();
    await gone.stop(); // its port is now closed
    const gateway = await startStack({ env: gone.env });
    try {
      await waitUntil(() => gateway.logs.some((line) => line.includes('ECONNREFUSED')), 'the cause logged');
      expect(gateway.logs.some((line) => line.includes('fetch failed'))).toBe(false);
    } finally {
      await gateway.stop();
    }
  });
});

describe('tokens of other kinds, and dates no clock reaches', () => {
  it('accepts JWT, at+jwt, application/at+jwt and no typ; refuses logout, security-event and DPoP tokens', async () => {
    for (const typ of ['JWT', 'at+jwt', 'application/at+jwt', undefined]) {
      const token = await provider.token('tess', { claims: { org: 'acme' }, header: { typ } });
      expect((await refusalOf(`Bearer ${token}`)).status, String(typ)).toBe(200);
    }
    for (const typ of ['logout+jwt', 'secevent+jwt', 'dpop+jwt']) {
      const token = await provider.token('tess', { claims: { org: 'acme' }, header: { typ } });
      const refused = await refusalOf(`Bearer ${token}`);
      expect({ typ, status: refused.status, code: refused.code }).toEqual({
        typ,
        status: 401,
        code: 'UNAUTHENTICATED',
      });
      expect(refused.message).toMatch(/not an access token/);
    }
  });

  it('refuses exp, nbf or iat that is not a finite number, and an iat in the future', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = (extra: string) =>
      `{"iss":${JSON.stringify(provider.issuer)},"aud":${JSON.stringify(provider.audience)},"sub":"inf","org":"acme",${extra}}`;
    const cases: [string, string, RegExp][] = [
      ['exp 1e400', claims('"exp":1e400'), /"exp" claim is not a finite number/],
      ['nbf -1e400', claims(`"exp":${now + 600},"nbf":-1e400`), /"nbf" claim is not a finite number/],
      ['iat 1e400', claims(`"exp":${now + 600},"iat":1e400`), /"iat"|future/],
      ['iat in an hour', claims(`"exp":${now + 7200},"iat":${now + 3600}`), /issued in the future/],
    ];
    for (const [name, text, message] of cases) {
      const refused = await refusalOf(`Bearer ${await provider.tokenFromText(text)}`);
      expect({ name, status: refused.status }).toEqual({ name, status: 401 });
      expect(refused.message, name).toMatch(message);
    }
  });

  it('names an unknown critical header as such, not as an algorithm', async () => {
    const token = await provider.token('crit', {
      claims: { org: 'acme' },
      header: { crit: ['urn:example:unknown'], 'urn:example:unknown': true } as never,
    });
    const refused = await refusalOf(`Bearer ${token}`);
    expect(refused.status).toBe(401);
    expect(refused.message).toMatch(/critical header/);
  });
});

describe('keys mid-rotation', () => {
  it('accepts a token without kid while the provider publishes two keys of its algorithm', async () => {
    const rotating = new TestIdentityProvider();
    await rotating.start();
    await rotating.rotate(false); // two keys published, the new one signs
    const gateway = await startTokenStack(rotating);
    try {
      for (const age of ['new', 'old'] as const) {
        if (age === 'old') rotating.signWithOlderKey();
        const token = await rotating.token('kidless', { header: { kid: undefined } });
        const answer = await postGraphQL(gateway.graphqlUrl, VideosDocument, FIRST_PAGE, bearer(token));
        expect({ age, status: answer.status, errors: answer.body.errors }).toEqual({
          age,
          status: 200,
          errors: undefined,
        });
      }
      // A key-less token signed by neither published key is still refused.
      const foreign = await generateKeyPair('ES256');
      const forged = await new SignJWT({ sub: 'mallory' })
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
        .setIssuer(rotating.issuer)
        .setAudience(rotating.audience)
        .setExpirationTime('10m')
        .sign(foreign.privateKey);
      const refused = await postGraphQL(gateway.graphqlUrl, VideosDocument, FIRST_PAGE, bearer(forged));
      expect(refused.status).toBe(401);
      expect(refused.body.errors![0]!.message).toMatch(/signature does not verify/);
    } finally {
      await gateway.stop();
      await rotating.stop();
    }
  });
});

describe('two Authorization headers', () => {
  it('are refused with 400 on /graphql, on another route and on the websocket upgrade', async () => {
    const token = await provider.token('duo', { claims: { org: 'acme' } });
    const headers = { authorization: `Bearer ${token}`, Authorization: 'Bearer another-credential-entirely' };
    for (const path of ['/graphql', '/uploads', '/metrics']) {
      const answer = await sendRaw(stack.url, {
        method: 'POST',
        path,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': '2' },
        body: ['{}'],
      }).response;
      expect({ path, status: answer?.status }).toEqual({ path, status: 400 });
      expect(answer!.body).toMatch(/2 Authorization headers/);
    }
    const upgrade = await sendRaw(stack.url, {
      method: 'GET',
      path: '/graphql',
      headers: {
        ...headers,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': Buffer.alloc(16, 7).toString('base64'),
        'sec-websocket-protocol': 'graphql-transport-ws',
      },
      body: [],
    }).response;
    expect(upgrade?.status).toBe(400);
    // One header is served as before.
    expect((await refusalOf(`Bearer ${token}`)).status).toBe(200);
  });
});

describe('owners', () => {
  it('never share a partition: tenant "acme\\nx" with user "u" and tenant "acme" with user "x\\nu" are two owners', async () => {
    const first = `Bearer ${await provider.token('u', { claims: { org: 'acme\nx' } })}`;
    const second = `Bearer ${await provider.token('x\nu', { claims: { org: 'acme' } })}`;
    const firsts = await uploadSmallVideo(stack.graphqlUrl, { authorization: first });
    const seconds = await uploadSmallVideo(stack.graphqlUrl, { authorization: second });
    expect(await listed(first)).toEqual([firsts]);
    expect(await listed(second)).toEqual([seconds]);
    // Each user's uploads go to a partition of their own at MAVI (MAVI_PARTITION=user).
    const partitionOf = async (videoNo: string) => (await stack.gateway.parts.status.get(videoNo))?.partition;
    expect(await partitionOf(firsts)).toMatch(/^user-/);
    expect(await partitionOf(firsts)).not.toBe(await partitionOf(seconds));
  });

  it('keep the digests of claims without a line feed, so existing users keep their videos', () => {
    const before = (...parts: string[]) => createHash('sha256').update(parts.join('\n')).digest('hex');
    expect(claimsDigest('https://id.example', 'acme', 'alice')).toBe(before('https://id.example', 'acme', 'alice'));
    expect(claimsDigest('https://id.example', 'acme\nx', 'u')).not.toBe(
      claimsDigest('https://id.example', 'acme', 'x\nu'),
    );
  });
});

describe('the clock tolerance', () => {
  it('applies alike over HTTP and websockets: a token expired 10 s ago works on both', async () => {
    const fresh = bearer(await provider.token('late', { claims: { org: 'acme' } }));
    const videoNo = await uploadSmallVideo(stack.graphqlUrl, fresh);
    const stale = `Bearer ${await provider.token('late', { claims: { org: 'acme' }, expiresIn: -10 })}`;
    expect(await listed(stale)).toEqual([videoNo]);
    const client = wsClient(stack.wsUrl, { authorization: stale });
    try {
      const ws = subscribeWs(client, VideoStatusDocument, { videoNo });
      const [first] = await ws.collected.waitForEvents(1);
      expect(first!.data!.videoStatus.videoNo).toBe(videoNo);
      ws.unsubscribe();
    } finally {
      await client.dispose();
    }
  });
});

describe('a client key shaped like a token', () => {
  it('is refused at start with AUTH_ISSUER set, named by its name and never by its value', () => {
    const key = 'svcpart1.svcpart2.svcpart3-abcdef';
    const attempt = () =>
      loadConfig({
        MAVI_API_KEY: 'k'.repeat(20),
        AUTH_ISSUER: 'https://id.example',
        AUTH_AUDIENCE: 'app',
        GATEWAY_API_KEYS: `backend:${key}`,
      });
    expect(attempt).toThrow(/the key named "backend" has a token's shape/);
    try {
      attempt();
    } catch (error) {
      expect(String(error)).not.toContain(key);
    }
    expect(() => loadConfig({ MAVI_API_KEY: 'k'.repeat(20), GATEWAY_API_KEYS: `backend:${key}` })).not.toThrow();
  });
});
