/** The private-address check of uploadVideoFromUrl: every spelling of an inside address is refused. */
import { describe, expect, it } from 'vitest';
import type { HostResolver } from '../../src/net/public-url.js';
import { checkVideoUrl } from '../../src/upload/video-url.js';

const resolvesTo =
  (...addresses: string[]): HostResolver =>
  async () =>
    addresses;
const refusal = async (url: string, resolve: HostResolver = resolvesTo('93.184.216.34')) => {
  try {
    await checkVideoUrl(url, resolve);
    return undefined;
  } catch (error) {
    return (error as { extensions: { code: string } }).extensions.code;
  }
};

describe('checkVideoUrl', () => {
  it.each([
    'http://127.0.0.1/v.mp4',
    'http://0x7f.1/v.mp4', // WHATWG parsing makes it 127.0.0.1
    'http://2130706433/v.mp4',
    'http://10.1.2.3/v.mp4',
    'http://100.64.0.1/v.mp4',
    'http://169.254.169.254/latest/meta-data',
    'http://172.16.0.1/v.mp4',
    'http://192.168.1.1/v.mp4',
    'http://[::1]/v.mp4',
    'http://[::ffff:127.0.0.1]/v.mp4',
    'http://[64:ff9b::a00:1]/v.mp4',
    'http://[fd00::1]/v.mp4',
    'http://[fe80::1]/v.mp4',
    'http://localhost/v.mp4',
    'http://video.localhost./v.mp4',
  ])('refuses %s', async (url) => {
    expect(await refusal(url)).toBe('VIDEO_URL_REFUSED');
  });

  it('refuses a public name that resolves inside, and takes one that resolves outside', async () => {
    expect(await refusal('https://videos.example/v.mp4', resolvesTo('93.184.216.34', '10.0.0.5'))).toBe(
      'VIDEO_URL_REFUSED',
    );
    expect(await refusal('https://videos.example/v.mp4', resolvesTo('93.184.216.34'))).toBeUndefined();
    // A name that does not resolve here is MAVI's to resolve.
    expect(await refusal('https://videos.example/v.mp4', resolvesTo())).toBeUndefined();
  });

  it('refuses other schemes, credentials, and what is no URL', async () => {
    expect(await refusal('ftp://videos.example/v.mp4')).toBe('VIDEO_URL_REFUSED');
    expect(await refusal('file:///etc/passwd')).toBe('VIDEO_URL_REFUSED');
    expect(await refusal('https://user:pw@videos.example/v.mp4')).toBe('VIDEO_URL_REFUSED');
    expect(await refusal('not a url')).toBe('INVALID_INPUT');
    expect(await refusal(`https://videos.example/${'a'.repeat(2048)}`)).toBe('INVALID_INPUT');
  });
});
