/**
 * Against a misconfigured or unreachable MAVI, every failed call is logged once,
 * at the right level, with its cause, and the client's error tells an outage
 * (retry) from a setting an operator must fix (no retry helps).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideosDocument } from '../../generated/operations.js';
import { postGraphQL } from '../../utils/graphql-clients.js';
import { collect, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { startStack, type Stack } from '../../utils/stack.js';

let htmlSite: Server;
let htmlSiteUrl: string;
beforeAll(async () => {
  // A web server where MAVI should be: a wrong MAVI_BASE_URL.
  htmlSite = createServer((req, res) => {
    req.resume();
    res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>Not Found</body></html>');
  });
  await new Promise<void>((resolve) => htmlSite.listen(0, '127.0.0.1', resolve));
  htmlSiteUrl = `http://127.0.0.1:${(htmlSite.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => htmlSite.close(resolve));
});

interface LogLine {
  level: string;
  message: string;
  code?: string;
  cause?: string;
  endpoint?: string;
  baseUrl?: string;
  family?: string;
}
const failures = (stack: Stack) =>
  stack.logs.map((line) => JSON.parse(line) as LogLine).filter((line) => line.message.startsWith('MAVI call failed'));

async function uploadThrough(stack: Stack) {
  const result = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)) });
  return result.json.errors[0].extensions as { code: string; retryable: boolean };
}

async function withStack(env: Record<string, string>, check: (stack: Stack) => Promise<void>): Promise<void> {
  const stack = await startStack({ env });
  try {
    await check(stack);
  } finally {
    await stack.stop();
  }
}

describe('a misconfigured or unreachable MAVI', () => {
  it('a wrong base URL (an HTML 404) is MAVI_MISCONFIGURED, not retryable, logged once as an error with its cause', async () => {
    await withStack({ MAVI_BASE_URL: htmlSiteUrl }, async (stack) => {
      expect(await uploadThrough(stack)).toEqual(
        expect.objectContaining({ code: 'MAVI_MISCONFIGURED', retryable: false }),
      );
      const logged = failures(stack);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({
        level: 'error',
        code: 'MAVI_MISCONFIGURED',
        cause: 'HTTP 404',
        baseUrl: htmlSiteUrl,
      });
    });
  });

  it('nothing listening is MAVI_UNAVAILABLE, retryable, logged once as a warning with the connection error', async () => {
    await withStack({ MAVI_BASE_URL: 'http://127.0.0.1:9' }, async (stack) => {
      expect(await uploadThrough(stack)).toEqual(
        expect.objectContaining({ code: 'MAVI_UNAVAILABLE', retryable: true }),
      );
      const logged = failures(stack);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ level: 'warn', code: 'MAVI_UNAVAILABLE', cause: 'ECONNREFUSED' });
    });
  });

  it('a refused key is MAVI_AUTH, says which API family was spoken and hints at the other, logged once as an error', async () => {
    await withStack({ MAVI_API_KEY: 'a-key-this-mavi-does-not-know' }, async (stack) => {
      const result = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)) });
      const [error] = result.json.errors as { message: string; extensions: { code: string } }[];
      expect(error!.extensions.code).toBe('MAVI_AUTH');
      expect(error!.message).toMatch(/MAVI_API=(original|v1)\b.*MAVI_API=(v1|original)\b/);
      const logged = failures(stack);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ level: 'error', code: 'MAVI_AUTH', cause: 'HTTP 401' });
      expect(stack.logs.join('\n')).not.toContain('a-key-this-mavi-does-not-know');
    });
  });

  it('says at start which family, base URL and callback address it uses', async () => {
    await withStack({}, async (stack) => {
      const started = stack.logs.map((line) => JSON.parse(line) as LogLine & { callbacks?: string });
      const line = started.find((entry) => entry.message === 'talking to MAVI');
      expect(line).toMatchObject({
        family: stack.simulator.options.family ?? 'original',
        baseUrl: stack.simulator.url,
      });
      expect(line?.callbacks).toBeDefined();
      // A query that touches no MAVI call fails nothing.
      await postGraphQL(stack.graphqlUrl, VideosDocument, {
        first: null,
        after: null,
        status: null,
        nameContains: null,
      });
      expect(failures(stack)).toEqual([]);
    });
  });
});
