/**
 * GET /metrics: Prometheus text, behind METRICS_TOKEN, with counters that move as
 * uploads, callbacks and subscriptions happen, and labels that clients cannot
 * grow (no operation names, URLs, videoNos or keys).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoDocument, VideoStatusDocument } from '../../generated/operations.js';
import { postGraphQL, subscribeSse, subscribeWs, wsClient } from '../../utils/graphql-clients.js';
import { collect, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { startStack, type Stack } from '../../utils/stack.js';
import { waitUntil } from '../../utils/wait.js';

const TOKEN = 'metrics-token-0123456789abcdef';
const endpointOf = { original: 'upload', v1: 'upload' } as const;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ simulator: { manualCallbacks: true }, env: { METRICS_TOKEN: TOKEN } });
});
afterAll(() => stack.stop());

async function scrape(): Promise<string> {
  const response = await fetch(`${stack.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

/** A series' value: `name{labels}` with exactly these labels (0 when absent). */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]),
    );
    if (JSON.stringify(Object.entries(found).sort()) === JSON.stringify(Object.entries(labels).sort())) {
      return Number(match[3]);
    }
  }
  return 0;
}

describe('/metrics', () => {
  it('answers 401 without the token or with a wrong one, and is absent without METRICS_TOKEN', async () => {
    expect((await fetch(`${stack.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${stack.url}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
    const plain = await startStack();
    try {
      expect((await fetch(`${plain.url}/metrics`)).status).toBe(404);
    } finally {
      await plain.stop();
    }
  });

  it('counts an upload, its MAVI request, a callback, the event and its delivery on each transport', async () => {
    const before = await scrape();
    const result = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)) });
    const { videoNo } = result.json.data.uploadVideo;
    const sse = subscribeSse(stack.graphqlUrl, VideoStatusDocument, { videoNo });
    const client = wsClient(stack.wsUrl);
    const ws = subscribeWs(client, VideoStatusDocument, { videoNo });
    await Promise.all([sse.collected.waitForEvents(1), ws.collected.waitForEvents(1)]);

    const open = await scrape();
    expect(value(open, 'mavi_gateway_subscriptions_open', { transport: 'sse' })).toBe(1);
    expect(value(open, 'mavi_gateway_subscriptions_open', { transport: 'websocket' })).toBe(1);
    expect(value(open, 'mavi_gateway_websockets_open')).toBe(1);

    expect((await stack.simulator.sendCallback(videoNo, 'PARSE')).httpStatus).toBe(200);
    await Promise.all([sse.collected.ended(), ws.collected.ended()]);
    await client.dispose();
    await waitUntil(async () => value(await scrape(), 'mavi_gateway_websockets_open') === 0, 'websocket closed');

    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      value(after, name, labels) - value(before, name, labels);
    expect(moved('mavi_gateway_uploads_total', { kind: 'file', outcome: 'ok' })).toBe(1);
    expect(moved('mavi_gateway_upload_bytes_total')).toBe(4096);
    expect(moved('mavi_gateway_upload_duration_seconds_count', { kind: 'file', outcome: 'ok' })).toBe(1);
    const endpoint = endpointOf[stack.simulator.options.family ?? 'original'];
    expect(moved('mavi_gateway_mavi_requests_total', { endpoint, outcome: 'ok' })).toBe(1);
    expect(moved('mavi_gateway_mavi_request_duration_seconds_count', { endpoint })).toBe(1);
    expect(moved('mavi_gateway_webhooks_total', { kind: 'status', outcome: 'applied' })).toBe(1);
    expect(moved('mavi_gateway_events_published_total', { kind: 'status' })).toBe(1);
    expect(moved('mavi_gateway_events_delivered_total', { transport: 'sse' })).toBe(2);
    expect(moved('mavi_gateway_events_delivered_total', { transport: 'websocket' })).toBe(2);
    expect(value(after, 'mavi_gateway_subscriptions_open', { transport: 'sse' })).toBe(0);
    expect(value(after, 'mavi_gateway_subscriptions_open', { transport: 'websocket' })).toBe(0);
    expect(moved('graphql_envelop_request', { operationType: 'mutation', rootFields: 'uploadVideo' })).toBe(1);
    expect(value(after, 'mavi_gateway_store_up')).toBe(1);
    expect(value(after, 'mavi_gateway_poll_period_seconds')).toBe(30);
    expect(value(after, 'process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('counts refused callbacks by reason, and keeps what clients send out of the labels', async () => {
    const before = await scrape();
    const forged = await fetch(`${stack.url}/webhooks/mavi/AAAAAAAAAAAAAAAAAAAAAA.${'B'.repeat(43)}`, {
      method: 'POST',
      body: '{}',
    });
    expect(forged.status).toBe(403);
    const operationName = `Sneaky${'x'.repeat(500)}`;
    await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `query ${operationName} { video(videoNo: "mavi_video_1") { videoNo } }` }),
    });
    await postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo: 'mavi_video_secret_id_4242' });
    const after = await scrape();
    expect(
      value(after, 'mavi_gateway_webhooks_total', { kind: 'status', outcome: 'CALLBACK_TOKEN_INVALID' }) -
        value(before, 'mavi_gateway_webhooks_total', { kind: 'status', outcome: 'CALLBACK_TOKEN_INVALID' }),
    ).toBe(1);
    expect(after).not.toContain('Sneaky');
    expect(after).not.toContain('mavi_video_secret_id_4242');
    expect(after).not.toContain('/graphql');
    expect(value(after, 'graphql_envelop_request', { operationType: 'query', rootFields: 'video' })).toBeGreaterThan(0);
  });
});

describe('the Grafana dashboard (dashboards/mavi-gateway.json)', () => {
  it('queries only metrics the gateway exports', async () => {
    const dashboard = JSON.parse(
      readFileSync(new URL('../../../dashboards/mavi-gateway.json', import.meta.url), 'utf8'),
    ) as {
      panels: { targets: { expr: string }[] }[];
    };
    const exposition = await scrape();
    const exported = new Set([...exposition.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]));
    const used = new Set(
      dashboard.panels
        .flatMap((panel) =>
          panel.targets.flatMap((target) => [
            ...target.expr.matchAll(/\b((?:mavi_gateway|graphql|process|nodejs)_[a-z_]+)\b/g),
          ]),
        )
        .map((match) => match[1]!.replace(/_(bucket|count|sum)$/, '')),
    );
    expect(used.size).toBeGreaterThan(15);
    for (const name of used) expect(exported, name).toContain(name);
  });
});

describe('series a client cannot grow', () => {
  it('operations naming fields the schema does not have, from a client without a key, share one label', async () => {
    const keyed = await startStack({
      env: { METRICS_TOKEN: TOKEN, GATEWAY_API_KEYS: 'client-key-aaaaaaaaaaaaaaaaaaaa' },
    });
    try {
      const series = async () =>
        (await (await fetch(`${keyed.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text())
          .split('\n')
          .filter((line) => line.startsWith('graphql_envelop_'))
          .map((line) => line.replace(/ [^ ]+$/, '')); // the series, without its value
      await fetch(`${keyed.graphqlUrl}?query=${encodeURIComponent('{ warmUp }')}`);
      const before = new Set(await series());
      for (let index = 0; index < 200; index += 1) {
        await fetch(`${keyed.graphqlUrl}?query=${encodeURIComponent(`{ f${index} }`)}`);
      }
      const after = await series();
      const added = after.filter((line) => !before.has(line));
      expect(added).toEqual([]);
      expect(after.some((line) => line.includes('rootFields="invalid"'))).toBe(true);
      expect(after.some((line) => /rootFields="f\d+"/.test(line))).toBe(false);
    } finally {
      await keyed.stop();
    }
  });
});
