import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { VideoDocument } from './generated/operations.js';
import { postGraphQL } from './utils/graphql-clients.js';
import { collect, uploadVideo, videoFile } from './utils/multipart-client.js';
import { startStack } from './utils/stack.js';

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
      expect(exposed.logs.join('\n')).toContain('GATEWAY_API_KEYS is not set and the gateway listens on 0.0.0.0');
      expect(loopback.logs.join('\n')).not.toContain('GATEWAY_API_KEYS is not set');
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
