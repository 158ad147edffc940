/** One rule for a video's name, on every path that names one. */
import { describe, expect, it } from 'vitest';
import { videoNameRefusal } from '../../src/upload/video-name.js';

describe('videoNameRefusal', () => {
  it.each([
    'clip\u0000.mp4',
    'clip\u001b[31m.mp4',
    'clip\u007f.mp4',
    'clip\u0085.mp4',
    'clip\u009b31m.mp4',
    'clip\u2028.mp4',
    'clip\u202egnp.exe',
    'clip\u2066.mp4',
    'clip\u200f.mp4',
    'x'.repeat(256),
  ])('refuses %j', (name) => {
    expect(videoNameRefusal(name)?.code).toBe('INVALID_INPUT');
  });

  it.each(['holiday.mp4', 'vidéo été.mov', 'فيديو.mp4', '视频.mkv', 'family 👩‍👩‍👧.mp4', 'x'.repeat(255)])(
    'takes %j',
    (name) => {
      expect(videoNameRefusal(name)).toBeUndefined();
    },
  );
});
