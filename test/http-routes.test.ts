/** The routes around GraphQL: health, readiness, GraphiQL. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './utils/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

describe('health and readiness', () => {
  it('GET /health answers 200 while the process serves', async () => {
    const response = await fetch(`${stack.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
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
