/** The committed SDL and the generated typed documents must match the code. */
import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import codegenConfig from '../codegen.js';
import { printSortedSchema } from '../src/graphql/schema.js';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

describe('schema', () => {
  it('schema/schema.graphql matches the code (run `npm run schema` after changing the schema)', () => {
    expect(read('schema/schema.graphql')).toBe(printSortedSchema());
  });

  it('test/generated/operations.ts is up to date (run `npm run codegen`)', async () => {
    const [output] = await generate(
      { ...codegenConfig, cwd: new URL('..', import.meta.url).pathname, silent: true },
      false,
    );
    expect(read('test/generated/operations.ts')).toBe(output.content);
  });

  it('declares what clients rely on', () => {
    const sdl = printSortedSchema();
    for (const line of [
      'scalar Upload',
      'scalar DateTime',
      'uploadVideo(file: Upload!): Video!',
      'videoStatus(videoNo: ID!): VideoStatusEvent!',
      'video(videoNo: ID!): Video',
      'videoNo: ID!',
      'videoName: String!',
      'status: VideoStatus!',
      'uploadTime: DateTime!',
      'receivedAt: DateTime!',
    ]) {
      expect(sdl).toContain(line);
    }
    expect(sdl).toMatch(/enum VideoStatus \{[^}]*FAIL[^}]*PARSE[^}]*UNPARSE[^}]*\}/);
  });
});
