/** The routes around GraphQL: health, readiness, GraphiQL. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { wsClient } from '../../utils/graphql-clients.js';
import { startStack, type Stack } from '../../utils/stack.js';

const KEY = 'client-key-aaaaaaaaaaaaaaaaaaaa';

const METRICS_TOKEN = 'metrics-token-for-the-route-tests';
const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { METRICS_TOKEN } });
});
afterAll(() => stack.stop());

describe('health and readiness', () => {
  it('GET /health answers 200 while the process serves, with the version', async () => {
    const response = await fetch(`${stack.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', version });
  });

  it('names its version (package.json) in the start banner and as mavi_gateway_build_info', async () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    const banner = stack.logs.find((line) => line.includes('gateway listening'));
    expect(JSON.parse(banner!)).toMatchObject({ version });
    const metrics = await fetch(`${stack.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    const line = (await metrics.text()).split('\n').find((entry) => entry.startsWith('mavi_gateway_build_info{'));
    expect(line).toContain(`version="${version}"`);
    expect(line).toMatch(/ 1$/);
  });

  it('GET /ready answers 200 when the gateway can do its job', async () => {
    const response = await fetch(`${stack.url}/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });
});

describe('GraphiQL', () => {
  it('is served at GET /graphql to browsers, with the example operation and subscriptions over SSE (they carry its headers)', async () => {
    const response = await fetch(stack.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('MAVI GraphQL gateway');
    expect(html).toContain('subscription WatchVideo');
    expect(html).toContain('"subscriptionsProtocol":"SSE"');
    // Served from the package, not a CDN: works on machines without internet access.
    expect(html).not.toMatch(/unpkg\.com|cdn\.jsdelivr/);
  });
});

describe('INTROSPECTION=off, for production deployments', () => {
  it('serves no GraphiQL and refuses introspection, while operations still work', async () => {
    const locked = await startStack({ env: { INTROSPECTION: 'off' } });
    try {
      const page = await fetch(locked.graphqlUrl, { headers: { accept: 'text/html' } });
      expect(page.headers.get('content-type') ?? '').not.toContain('text/html');
      expect(await page.text()).not.toContain('MAVI GraphQL gateway');

      const post = (query: string) =>
        fetch(locked.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query }),
        }).then((response) => response.json());
      const introspection = await post('{ __schema { queryType { name } } }');
      expect(introspection.errors[0].message).toMatch(/introspection/i);
      const typename = await post('{ __typename }');
      expect(typename).toEqual({ data: { __typename: 'Query' } });
    } finally {
      await locked.stop();
    }
  });
});

describe('INTROSPECTION=off names nothing of the schema in errors', () => {
  it('validation and variable errors carry no "Did you mean", over HTTP and websockets, with a key or without', async () => {
    const locked = await startStack({ env: { INTROSPECTION: 'off', GATEWAY_API_KEYS: KEY } });
    const open = await startStack({ env: { INTROSPECTION: 'on' } });
    try {
      const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        }).then((response) => response.text());
      const probes = [
        { query: '{ vide }' },
        { query: '{ videos(firs: 1) { pageInfo { hasNextPage } } }' },
        {
          query: 'query ($s: VideoStatus) { videos(status: $s) { pageInfo { hasNextPage } } }',
          variables: { s: 'PARS' },
        },
        { query: 'subscription { videoStatu(videoNo: "x") { status } }' },
      ];
      for (const probe of probes) {
        // The suggestion is what would leak: the open gateway gives it, the locked one must not.
        expect(await post(open.graphqlUrl, probe)).toContain('Did you mean');
        const answer = await post(locked.graphqlUrl, probe, { authorization: `Bearer ${KEY}` });
        expect(answer).toContain('"errors"');
        expect(answer).not.toContain('Did you mean');
      }
      const client = wsClient(locked.wsUrl.replace(/^http/, 'ws'), { authorization: `Bearer ${KEY}` });
      try {
        for (const probe of probes) {
          const failed = await new Promise<unknown>((resolve) => {
            client.subscribe(probe, { next: resolve, error: resolve, complete: () => resolve(undefined) });
          });
          expect(JSON.stringify(failed)).not.toContain('Did you mean');
          expect(JSON.stringify(failed)).toMatch(/Cannot query|Unknown argument|does not exist/);
        }
      } finally {
        await client.dispose();
      }
    } finally {
      await locked.stop();
      await open.stop();
    }
  });
});

describe('requests whose target or Host makes no URL', () => {
  it('a malformed Host header or target gets 400 MALFORMED_REQUEST, never a stack trace; an absolute-form target is served by its path', async () => {
    const raw = (head: string) =>
      new Promise<string>((resolve) => {
        const url = new URL(stack.url);
        const socket = connect(Number(url.port), url.hostname);
        const chunks: Buffer[] = [];
        socket.on('data', (chunk: Buffer) => chunks.push(chunk));
        socket.on('error', () => undefined);
        socket.once('close', () => resolve(Buffer.concat(chunks).toString()));
        socket.write(`${head}\r\nconnection: close\r\n\r\n`);
      });
    const url = new URL(stack.url);
    for (const head of [
      'GET /ready HTTP/1.1\r\nhost: a b',
      'GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nhost: exa mple.com:4000',
      `OPTIONS * HTTP/1.1\r\nhost: ${url.host}`,
    ]) {
      const answer = await raw(head);
      expect(answer).toMatch(/^HTTP\/1\.1 400/);
      expect(answer).toContain('"code":"MALFORMED_REQUEST"');
      expect(answer).not.toMatch(/TypeError|node_modules|at .*\(/);
    }
    const absolute = await raw(`GET http://${url.host}/ready HTTP/1.1\r\nhost: ${url.host}`);
    expect(absolute).toMatch(/^HTTP\/1\.1 200/);
    expect(absolute).toContain('"status":"ready"');
    expect(stack.logs.join('\n')).toContain('refused a malformed request');
  });
});
