/**
 * Per-upload callback tokens. MAVI's callbacks carry no signature, so the URL we
 * hand MAVI is the credential: `<uploadId>.<mac>`, where mac is
 * HMAC-SHA256(WEBHOOK_SECRET, uploadId). A token proves that this gateway minted
 * it for one upload; the store says which videoNo that upload got.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_PATTERN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export interface CallbackTokens {
  /** A fresh upload id and the token bound to it. */
  mint(): { uploadId: string; token: string };
  /** The upload id a genuine token names, or undefined for a malformed or forged one. */
  verify(token: string): string | undefined;
}

export function createCallbackTokens(secret: string): CallbackTokens {
  const mac = (uploadId: string) =>
    createHmac('sha256', secret).update(`mavi-callback:v1:${uploadId}`).digest('base64url');

  return {
    mint() {
      const uploadId = randomBytes(16).toString('base64url');
      return { uploadId, token: `${uploadId}.${mac(uploadId)}` };
    },
    verify(token) {
      const match = TOKEN_PATTERN.exec(token);
      if (!match) return undefined;
      const [, uploadId, given] = match as unknown as [string, string, string];
      const expected = Buffer.from(mac(uploadId));
      const actual = Buffer.from(given);
      return actual.length === expected.length && timingSafeEqual(actual, expected) ? uploadId : undefined;
    },
  };
}
