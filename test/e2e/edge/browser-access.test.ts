/**
 * What a browser app on another origin needs: one CORS policy (CORS_ORIGINS) on
 * every answer (Yoga's, the gateway's own refusals, webhooks, /health), a
 * preflight that allows the headers the README tells clients to send, and a
 * schema that loads without a key while introspection is on.
 */
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { startStack, type Stack } from '../../utils/stack.js';

const KEY = 'browser-access-key-6a2f0c';
const APP = 'https://app.example.com';
const OTHER = 'https://elsewhere.example.net';

let anyOrigin: Stack; // CORS_ORIGINS unset: any origin
let listed: Stack; // CORS_ORIGINS=APP
beforeAll(async () => {
  anyOrigin = await startStack({ env: { GATEWAY_API_KEYS: KEY } });
  listed = await startStack({ env: { GATEWAY_API_KEYS: KEY, CORS_ORIGINS: `${APP}, http://localhost:5173` } });
});
afterAll(async () => {
  await anyOrigin?.stop();
  await listed?.stop();
});

const query = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** One of each kind of answer: Yoga's result, the gateway's early refusal, a webhook refusal, /health. */
function answers(stack: Stack, origin: string) {
  return {
    yoga: () =>
      fetch(
        stack.graphqlUrl,
        query({ query: '{ videos(first: 1) { nodes { videoNo } } }' }, { origin, authorization: `Bearer ${KEY}` }),
      ),
    earlyRefusal: () =>
      fetch(stack.graphqlUrl, {
        method: 'POST',
        headers: { origin, 'content-type': 'multipart/form-data; boundary=x', 'apollo-require-preflight': 'true' },
        body: '--x--\r\n',
      }),
    webhook: () => fetch(`${stack.url}/webhooks/mavi/not-a-token`, { method: 'POST', headers: { origin }, body: '{}' }),
    health: () => fetch(`${stack.url}/health`, { headers: { origin } }),
  };
}

describe('CORS on every answer', () => {
  it('any origin by default: every kind of answer names the caller origin and exposes the request id', async () => {
    for (const [kind, send] of Object.entries(answers(anyOrigin, APP))) {
      const response = await send();
      await response.arrayBuffer();
      expect({ kind, origin: response.headers.get('access-control-allow-origin') }).toEqual({ kind, origin: APP });
      expect(response.headers.get('access-control-expose-headers')).toContain('x-request-id');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      expect(response.headers.get('vary')).toContain('Origin');
    }
  });

  it('CORS_ORIGINS: a listed origin is allowed and another is not, the same way on every kind of answer', async () => {
    const seen: Record<string, [string | null, string | null]> = {};
    for (const [kind, send] of Object.entries(answers(listed, APP))) {
      const response = await send();
      await response.arrayBuffer();
      seen[kind] = [response.headers.get('access-control-allow-origin'), null];
    }
    for (const [kind, send] of Object.entries(answers(listed, OTHER))) {
      const response = await send();
      await response.arrayBuffer();
      seen[kind]![1] = response.headers.get('access-control-allow-origin');
    }
    for (const kind of ['yoga', 'earlyRefusal', 'webhook', 'health']) expect(seen[kind]).toEqual([APP, 'null']);
  });

  it('the preflight allows the headers the README tells clients to send', async () => {
    const requested = 'authorization, content-type, apollo-require-preflight, x-request-id';
    const response = await fetch(listed.graphqlUrl, {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': requested },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
    for (const header of requested.split(/,\s*/)) expect(allowed).toContain(header);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('CORS_ORIGINS that is not a list of origins is refused at start, by name', () => {
    expect(() => loadConfig({ CORS_ORIGINS: 'https://app.example.com/path' })).toThrow(
      /CORS_ORIGINS: "https:\/\/app.example.com\/path" is not an origin/,
    );
    expect(() => loadConfig({ CORS_ORIGINS: 'app.example.com' })).toThrow(/CORS_ORIGINS/);
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toBe('*');
    expect(loadConfig({}).corsOrigins).toBe('*');
  });
});

describe('introspection without a key', () => {
  const keyless = (stack: Stack, body: unknown) => fetch(stack.graphqlUrl, query(body));

  it('answers a keyless schema query (GraphiQL loads before a key is typed)', async () => {
    const response = await keyless(anyOrigin, { query: '{ __schema { queryType { name } } __typename }' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      data: { __schema: { queryType: { name: 'Query' } }, __typename: 'Query' },
    });
  });

  it('refuses any keyless operation that reads more than the schema, however it is dressed', async () => {
    for (const body of [
      { query: '{ __schema { queryType { name } } videos(first: 1) { nodes { videoNo } } }' },
      { query: '{ ...F } fragment F on Query { __typename videos(first: 1) { nodes { videoNo } } }' },
      { query: '{ ... on Query { videos(first: 1) { nodes { videoNo } } } }' },
      { query: 'query A { __typename } query B { videos(first: 1) { nodes { videoNo } } }', operationName: 'B' },
    ]) {
      const response = await keyless(anyOrigin, body);
      expect(response.status).toBe(401);
      expect(
        ((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
      ).toBe('UNAUTHENTICATED');
    }
  });

  it('a keyless body larger than an introspection query needs (16 KiB), or of undeclared length, is refused before it is read', async () => {
    const large = await fetch(anyOrigin.graphqlUrl, query({ query: `{ __typename }${' '.repeat(20_000)}` }));
    expect(large.status).toBe(401);
    const chunked = await fetch(anyOrigin.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Blob([JSON.stringify({ query: '{ __typename }' })]).stream(),
      duplex: 'half',
    });
    expect(chunked.status).toBe(401);
  });

  it('with introspection off, a keyless schema query is refused before its body is read', async () => {
    const closed = await startStack({ env: { GATEWAY_API_KEYS: KEY, INTROSPECTION: 'false' } });
    try {
      const response = await keyless(closed, { query: '{ __schema { queryType { name } } }' });
      expect(response.status).toBe(401);
      expect(
        ((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
      ).toBe('UNAUTHENTICATED');
    } finally {
      await closed.stop();
    }
  });
});
