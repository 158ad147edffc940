/**
 * Callback tokens. MAVI's callbacks carry no signature, so the URL we hand MAVI
 * is the credential: `<id>.<mac>`, where mac is HMAC-SHA256(WEBHOOK_SECRET,
 * purpose + id). A token proves that this gateway minted it for one thing of one
 * kind: an upload (its status callbacks; the store says which videoNo that upload
 * got), a transcription task, or a live analysis (its results). The purpose is in the MAC, so a token of one
 * kind is worthless as the other.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_PATTERN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export interface CallbackTokens {
  /** A fresh upload id and the token bound to it. */
  mint(): { uploadId: string; token: string };
  /** The upload id a genuine token names, or undefined for a malformed or forged one. */
  verify(token: string): string | undefined;
}

/** What a token is for; part of what its MAC covers. */
export type TokenPurpose = 'upload' | 'transcript' | 'live';

const PURPOSE_PREFIX: Record<TokenPurpose, string> = {
  upload: 'mavi-callback:v1:',
  transcript: 'mavi-transcript:v1:',
  live: 'mavi-live:v1:',
};

export function createCallbackTokens(secret: string, purpose: TokenPurpose = 'upload'): CallbackTokens {
  const mac = (uploadId: string) =>
    createHmac('sha256', secret).update(`${PURPOSE_PREFIX[purpose]}${uploadId}`).digest('base64url');

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
