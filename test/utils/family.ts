/**
 * Which MAVI API family the end-to-end tests run against: vitest.config.ts runs
 * them once per family (projects "original" and "v1"), setting TEST_MAVI_API.
 */
export type TestFamily = 'original' | 'v1';

export function testFamily(): TestFamily {
  return process.env.TEST_MAVI_API === 'v1' ? 'v1' : 'original';
}

/** What MAVI's video ids look like in the family under test. */
export function videoNoPattern(): RegExp {
  return testFamily() === 'v1' ? /^VI\d{18}$/ : /^mavi_video_\d+$/;
}
