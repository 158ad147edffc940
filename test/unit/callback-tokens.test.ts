/** Callback tokens: minted per upload, verified in constant time, and worthless for another purpose. */
import { describe, expect, it } from 'vitest';
import { createCallbackTokens } from '../../src/auth/callback-tokens.js';

const SECRET = 'a-webhook-secret-of-some-length';

describe('callback tokens', () => {
  it('verify what they minted, naming the upload', () => {
    const tokens = createCallbackTokens(SECRET);
    const { uploadId, token } = tokens.mint();
    expect(tokens.verify(token)).toBe(uploadId);
    expect(tokens.mint().uploadId).not.toBe(uploadId);
  });

  it('refuse a changed MAC, another secret, another purpose, and malformed tokens', () => {
    const tokens = createCallbackTokens(SECRET);
    const { token } = tokens.mint();
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    expect(tokens.verify(token.slice(0, -1) + last)).toBeUndefined();
    expect(createCallbackTokens('another-secret-entirely').verify(token)).toBeUndefined();
    expect(createCallbackTokens(SECRET, 'transcript').verify(token)).toBeUndefined();
    for (const malformed of ['', '.', token.replace('.', ''), `${token}x`, `${token}.x`, token.toUpperCase()]) {
      expect(tokens.verify(malformed)).toBeUndefined();
    }
  });
});
