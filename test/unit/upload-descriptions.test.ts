/**
 * What the edge makes of what a client writes before any body: a resumable upload's
 * Upload-Metadata (admission.ts describeUpload) and a request's target and Host
 * (request-handler.ts normaliseTarget).
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { normaliseTarget } from '../../src/edge/request-handler.js';
import { describeUpload } from '../../src/staging/admission.js';

describe('describeUpload', () => {
  it('takes the name and type, and MAVI metadata', () => {
    expect(
      describeUpload({
        filename: 'beach.mp4',
        filetype: 'video/mp4',
        tags: 'sea, sun,,',
        capturedAt: '2026-07-01T10:00:00Z',
        latitude: '43.3',
        longitude: '5.4',
      }),
    ).toEqual({
      fileName: 'beach.mp4',
      fileType: 'video/mp4',
      maviMetadata: {
        tags: ['sea', 'sun'],
        capturedAt: new Date('2026-07-01T10:00:00Z'),
        location: { latitude: 43.3, longitude: 5.4 },
      },
    });
    expect(describeUpload({ name: 'a.mov' })).toEqual({
      fileName: 'a.mov',
      fileType: 'application/octet-stream',
      maviMetadata: undefined,
    });
    expect(describeUpload({})).toMatchObject({ fileName: 'upload' });
  });

  it('refuses a bad date, a lone coordinate, and a name with controls', () => {
    expect(describeUpload({ capturedAt: 'yesterday' })).toMatchObject({ code: 'INVALID_INPUT' });
    expect(describeUpload({ latitude: '43.3' })).toMatchObject({ code: 'INVALID_INPUT' });
    expect(describeUpload({ filename: 'a\u202egnp.exe' })).toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('normaliseTarget', () => {
  const request = (url: string, host?: string) =>
    ({ url, headers: host === undefined ? {} : { host } }) as unknown as IncomingMessage;

  it('serves an absolute-form target by its path and query', () => {
    const req = request('http://gateway.example/graphql?x=1', 'gateway.example');
    expect(normaliseTarget(req)).toBeUndefined();
    expect(req.url).toBe('/graphql?x=1');
  });

  it('refuses a target that is no path, and a Host that is no host name', () => {
    expect(normaliseTarget(request('*'))?.code).toBe('MALFORMED_REQUEST');
    expect(normaliseTarget(request('ftp://x/y'))?.code).toBe('MALFORMED_REQUEST');
    expect(normaliseTarget(request('/graphql', 'a b'))?.code).toBe('MALFORMED_REQUEST');
    expect(normaliseTarget(request('/graphql', 'evil.example/path'))?.code).toBe('MALFORMED_REQUEST');
    expect(normaliseTarget(request('/graphql', 'localhost:4000'))).toBeUndefined();
  });
});
