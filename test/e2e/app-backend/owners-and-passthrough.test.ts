/**
 * Owners named as the app knows them, and the app's own text for a video (passthrough): both
 * kept with the video, shown in webhooks and (the owner) to a tenant's administrators only,
 * never sent to MAVI. Signed-in users (a real OpenID provider's tokens) and client keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTokenStack, TestIdentityProvider } from '../../utils/identity-provider.js';
import { collect, MP4_HEADER, postMultipart, videoFile } from '../../utils/multipart-client.js';
import { startStack, type Stack } from '../../utils/stack.js';
import { tusUpload } from '../../utils/tus-client.js';
import { asAlice, TWO_CLIENT_KEYS } from '../../utils/two-clients.js';
import { newWebhookSecret, WebhookReceiver } from '../../utils/webhook-receiver.js';

const secret = newWebhookSecret();
const provider = new TestIdentityProvider();
let receiver: WebhookReceiver;

const webhookEnv = () => ({
  APP_WEBHOOK_URL: receiver.url,
  APP_WEBHOOK_SECRET: secret,
  APP_WEBHOOK_ALLOW_PRIVATE: 'on',
});

const UPLOAD = `mutation ($file: Upload!, $passthrough: String) {
  uploadVideo(file: $file, passthrough: $passthrough) { videoNo passthrough owner { user tenant key } }
}`;
const VIDEO = 'query ($videoNo: ID!) { video(videoNo: $videoNo) { videoNo passthrough owner { user tenant key } } }';

async function upload(stack: Stack, headers: Record<string, string>, passthrough: string | null) {
  const result = await postMultipart(stack.graphqlUrl, {
    headers,
    parts: [
      { name: 'operations', value: JSON.stringify({ query: UPLOAD, variables: { file: null, passthrough } }) },
      { name: 'map', value: JSON.stringify({ 0: ['variables.file'] }) },
      { name: '0', fileName: 'clip.mp4', contentType: 'video/mp4', content: await collect(videoFile(4096)) },
    ],
  });
  return result.json as {
    data?: { uploadVideo: Record<string, any> | null };
    errors?: { extensions: { code: string } }[];
  };
}

async function video(stack: Stack, headers: Record<string, string>, videoNo: string) {
  const answer = await fetch(stack.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: VIDEO, variables: { videoNo } }),
  });
  return ((await answer.json()) as { data: { video: Record<string, any> | null } }).data.video;
}

beforeAll(async () => {
  receiver = await new WebhookReceiver([secret]).start();
  await provider.start();
});
afterAll(async () => {
  await receiver.stop();
  await provider.stop();
});

describe('signed-in users', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTokenStack(provider, {
      simulator: { manualCallbacks: true },
      env: { AUTH_TENANT_CLAIM: 'org_id', ...webhookEnv() },
    });
  });
  afterAll(() => stack.stop());

  const as = async (sub: string, org: string, scope?: string) =>
    bearer(await provider.token(sub, { claims: { org_id: org, ...(scope ? { scope } : {}) } }));

  it("record the user and tenant claims: webhooks carry them, the tenant's administrator sees them, nobody else", async () => {
    const alice = await as('alice@example.com', 'acme');
    const uploaded = await upload(stack, alice, 'order-4711');
    const { videoNo } = uploaded.data!.uploadVideo!;
    // The uploader sees its passthrough, but not the app's record of who it is.
    expect(uploaded.data!.uploadVideo).toMatchObject({ passthrough: 'order-4711', owner: null });

    const [registered] = await receiver.waitFor(
      () =>
        receiver.ofType('video.registered').some((d) => d.payload!.data.videoNo === videoNo) &&
        receiver.ofType('video.registered'),
    );
    expect(registered!.payload!.data).toMatchObject({
      videoNo,
      owner: { user: 'alice@example.com', tenant: 'acme', key: null },
      passthrough: 'order-4711',
    });

    const admin = await as('ada', 'acme', 'openid videos:admin');
    expect(await video(stack, admin, videoNo)).toEqual({
      videoNo,
      passthrough: 'order-4711',
      owner: { user: 'alice@example.com', tenant: 'acme', key: null },
    });
    const otherAdmin = await as('olga', 'globex', 'openid videos:admin');
    expect(await video(stack, otherAdmin, videoNo)).toBeNull();
    expect((await video(stack, alice, videoNo))!.owner).toBeNull();

    // The claims never reach MAVI: its request carried the partition's digest only.
    const atMavi = JSON.stringify(stack.simulator.videos.get(videoNo));
    expect(atMavi).not.toContain('alice@example.com');
    expect(atMavi).not.toContain('order-4711');
    // Nor the logs.
    expect(stack.logs.some((line) => line.includes('alice@example.com') || line.includes('order-4711'))).toBe(false);
  });

  it('refuses more than 1 KiB of passthrough, naming it, before anything reaches MAVI', async () => {
    const alice = await as('alice@example.com', 'acme');
    const before = stack.simulator.videos.size;
    const refused = await upload(stack, alice, 'é'.repeat(513)); // 1,026 bytes
    expect(refused.data?.uploadVideo).toBeNull();
    expect(refused.errors![0]!.extensions.code).toBe('INVALID_INPUT');
    expect(JSON.stringify(refused.errors)).toMatch(/passthrough is 1026 bytes/);
    expect(stack.simulator.videos.size).toBe(before);
    const fits = await upload(stack, alice, 'é'.repeat(512)); // 1,024 bytes
    expect(fits.data!.uploadVideo!.passthrough).toBe('é'.repeat(512));
  });
});

describe('client keys', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ simulator: { manualCallbacks: true }, env: { ...TWO_CLIENT_KEYS, ...webhookEnv() } });
  });
  afterAll(() => stack.stop());

  it("record the key's name; a resumable upload's passthrough comes from its Upload-Metadata", async () => {
    const file = Buffer.concat([MP4_HEADER, await collect(videoFile(8192))]);
    const result = await tusUpload({
      endpoint: `${stack.url}/uploads`,
      file,
      headers: asAlice,
      metadata: { filename: 'tus.mp4', filetype: 'video/mp4', passthrough: 'from-tus' },
    });
    const [registered] = await receiver.waitFor(() => {
      const found = receiver.ofType('video.registered').filter((d) => d.payload!.data.videoName === 'tus.mp4');
      return found.length > 0 && found;
    });
    expect(registered!.payload!.data).toMatchObject({
      owner: { user: null, tenant: null, key: 'alice' },
      passthrough: 'from-tus',
    });
    const videoNo = registered!.payload!.data.videoNo as string;
    expect(await video(stack, asAlice, videoNo)).toMatchObject({ passthrough: 'from-tus', owner: null });
    expect(result.url).toContain('/uploads/');
  });
});
