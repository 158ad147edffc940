/**
 * OpenTelemetry, with OTEL_EXPORTER_OTLP_ENDPOINT: an upload is one trace (the
 * HTTP request, the multipart intake, the GraphQL operation, its MAVI request
 * and its store write, each under its parent), a callback another, sent over
 * OTLP/HTTP to a receiver in the test. No span carries a callback token.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../../../src/tracing/start-tracing.js';
import { collect, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { startStack, type Stack } from '../../utils/stack.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}

const received: OtlpSpan[] = [];
const bodies: string[] = [];
let receiver: Server;
let tracing: Tracing;
let stack: Stack;
let videoNo: string;
let callbackToken: string;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      bodies.push(text);
      if (req.url === '/v1/traces') {
        const body = JSON.parse(text) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
        for (const resource of body.resourceSpans)
          for (const scope of resource.scopeSpans) received.push(...scope.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  tracing = startTracing({
    endpoint: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
    serviceName: 'gateway-under-test',
  });
  stack = await startStack({ simulator: { manualCallbacks: true } });

  const result = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)) });
  videoNo = result.json.data.uploadVideo.videoNo;
  const callbackUri = stack.simulator.videos.get(videoNo)!.callbackUri!;
  callbackToken = callbackUri.split('/').pop()!;
  expect((await stack.simulator.sendCallback(videoNo, 'PARSE')).httpStatus).toBe(200);
  await stack.stop();
  await tracing.stop(); // exports what is buffered
}, 60_000);
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

const named = (name: string) => received.filter((span) => span.name === name);
const attribute = (span: OtlpSpan, key: string) => span.attributes.find((entry) => entry.key === key)?.value;

describe('traces', () => {
  it('an upload is one trace: request → intake, operation → MAVI request, store write', () => {
    const [request] = named('POST /graphql').filter((span) =>
      received.some((s) => s.parentSpanId === span.spanId && s.name === 'multipart intake'),
    );
    expect(request, 'the upload request').toBeDefined();
    expect(request!.kind).toBe(2); // SERVER
    const inTrace = received.filter((span) => span.traceId === request!.traceId);
    const child = (name: string, parent: OtlpSpan) =>
      inTrace.find((span) => span.name === name && span.parentSpanId === parent.spanId);

    expect(child('multipart intake', request!)).toBeDefined();
    const operation = child('graphql mutation uploadVideo', request!);
    expect(operation, 'the GraphQL operation').toBeDefined();
    const maviRequest = inTrace.find((span) => span.kind === 3 && span.parentSpanId === operation!.spanId); // CLIENT
    expect(maviRequest, 'the request to MAVI').toBeDefined();
    expect(String(attribute(maviRequest!, 'url.full')?.stringValue)).toMatch(/\/upload$/);
    expect(child('store completeUpload', operation!)).toBeDefined();
  });

  it('a callback is a trace of its own, with its store write', () => {
    const webhook = named('POST /webhooks/mavi/');
    expect(webhook).toHaveLength(1);
    const store = named('store applyCallback');
    expect(store.map((span) => span.parentSpanId)).toEqual([webhook[0]!.spanId]);
    expect(received.filter((s) => s.traceId === webhook[0]!.traceId).some((s) => s.name.startsWith('graphql'))).toBe(
      false,
    );
  });

  it('carries no callback token and no videoNo in span names', () => {
    // The simulator runs in this process: its callback requests to the gateway are traced too, and
    // their URL is the token's. Those are MAVI's requests, not the gateway's: left out here.
    const gatewayPort = Number(new URL(stack.url).port);
    const gatewaySpans = received.filter(
      (span) => !(span.kind === 3 && attribute(span, 'server.port')?.intValue === gatewayPort),
    );
    expect(gatewaySpans.length).toBeGreaterThan(5);
    expect(JSON.stringify(gatewaySpans)).not.toContain(callbackToken);
    expect(received.some((span) => span.name.includes(videoNo))).toBe(false);
  });
});
