import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { DeleteVideosDocument, VideoDocument } from '../../generated/operations.js';
import { postGraphQL, subscribeWs, wsClient } from '../../utils/graphql-clients.js';
import { collect, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { startStack } from '../../utils/stack.js';

describe('logger', () => {
  it('redacts every secret from messages, fields and errors', () => {
    const lines: string[] = [];
    const logger = createLogger({ secrets: ['mavi-secret-key-123', undefined], write: (line) => lines.push(line) });
    logger.addSecret('client-key-456');
    logger.error('upstream said mavi-secret-key-123', {
      header: 'Bearer client-key-456',
      error: new Error('connect failed for mavi-secret-key-123', { cause: new Error('client-key-456') }),
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('mavi-secret-key-123');
    expect(lines[0]).not.toContain('client-key-456');
    expect(lines[0]).toContain('[redacted]');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', error: { name: 'Error' } });
  });

  it('writes readable lines when asked (LOG_FORMAT=pretty), scrubbed as well', () => {
    const lines: string[] = [];
    const logger = createLogger({
      format: 'pretty',
      secrets: ['mavi-secret-key-123'],
      write: (line) => lines.push(line),
    });
    logger.warn('upstream said mavi-secret-key-123', { videoNo: 'mavi_video_1' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: upstream said \[redacted\]/);
    expect(lines[0]).toContain('videoNo: "mavi_video_1"');
  });

  it('drops lines below its level', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', write: (line) => lines.push(line) });
    logger.info('chatty');
    logger.warn('important');
    expect(lines.map((line) => JSON.parse(line).message)).toEqual(['important']);
  });
});

describe('an open gateway', () => {
  it('warns at start when it listens beyond loopback without client keys', async () => {
    const exposed = await startStack({ env: { HOST: '0.0.0.0' } });
    const loopback = await startStack();
    try {
      expect(exposed.logs.join('\n')).toContain(
        'Neither GATEWAY_API_KEYS nor AUTH_ISSUER is set and the gateway listens on 0.0.0.0',
      );
      expect(loopback.logs.join('\n')).not.toContain('Neither GATEWAY_API_KEYS nor AUTH_ISSUER is set');
    } finally {
      await exposed.stop();
      await loopback.stop();
    }
  });
});

describe('no WEBHOOK_SECRET', () => {
  it('uses a random secret for the process, says so, and callbacks still work within it', async () => {
    const stack = await startStack({ env: { WEBHOOK_SECRET: '' }, simulator: { manualCallbacks: true } });
    try {
      expect(stack.logs.join('\n')).toContain('WEBHOOK_SECRET is not set: using a random secret for this process');
      expect(stack.gateway.parts.config.webhookSecret).toBeUndefined();
      const { token } = stack.gateway.parts.tokens.mint();
      expect(stack.gateway.parts.tokens.verify(token)).toBeDefined();
      // A real callback, to the URL this process minted for a real upload, is accepted and applied.
      const uploaded = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)) });
      const videoNo = uploaded.json.data.uploadVideo.videoNo;
      const delivery = await stack.simulator.sendCallback(videoNo, 'PARSE');
      expect(delivery.httpStatus).toBe(200);
      const { body } = await postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo });
      expect(body.data?.video?.status).toBe('PARSE');
    } finally {
      await stack.stop();
    }
  });
});

describe('request ids', () => {
  it('are on every line a request causes: taken from x-request-id when sane, made otherwise, and returned', async () => {
    const stack = await startStack();
    try {
      const given = await uploadVideo(stack.graphqlUrl, {
        content: await collect(videoFile(4096)),
        headers: { 'x-request-id': 'upload-7f3a.1' },
      });
      expect(given.headers['x-request-id']).toBe('upload-7f3a.1');
      const uploaded = stack.logs.map((line) => JSON.parse(line)).find((line) => line.message === 'video uploaded');
      expect(uploaded).toMatchObject({ requestId: 'upload-7f3a.1', level: 'info' });

      // A forged id (it would split a line in a text log) is replaced, as is a missing one.
      const forged = await fetch(`${stack.url}/health`, { headers: { 'x-request-id': 'a b\tc' } });
      const made = forged.headers.get('x-request-id')!;
      expect(made).toMatch(/^[0-9a-f-]{36}$/);
      const missing = await fetch(`${stack.url}/health`);
      expect(missing.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(missing.headers.get('x-request-id')).not.toBe(made);
    } finally {
      await stack.stop();
    }
  });

  it('are made for each websocket operation', async () => {
    const stack = await startStack();
    const client = wsClient(stack.wsUrl);
    try {
      const videoNos: string[] = [];
      for (let i = 0; i < 2; i += 1) {
        const uploaded = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)) });
        videoNos.push(uploaded.json.data.uploadVideo.videoNo);
      }
      for (const videoNo of videoNos) {
        const deletion = subscribeWs(client, DeleteVideosDocument, { videoNos: [videoNo] });
        await deletion.collected.ended();
      }
      const ids = stack.logs
        .map((line) => JSON.parse(line) as { requestId?: string; message: string })
        .filter((line) => line.message === 'videos deleted')
        .map((line) => line.requestId);
      expect(ids).toHaveLength(2);
      expect(new Set(ids).size).toBe(2);
      for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await client.dispose();
      await stack.stop();
    }
  });
});
