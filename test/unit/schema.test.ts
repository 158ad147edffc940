/** The committed SDL and the generated typed documents must match the code. */
import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { isEnumType, isInputObjectType, isInterfaceType, isNonNullType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import codegenConfig from '../../codegen.js';
import { errorRegistry } from '../../src/errors.js';
import { printSortedSchema, schema } from '../../src/graphql/schema.js';

/** Each root type's fields, with their arguments' names (sorted). */
function rootFields(): Record<string, Record<string, string[]>> {
  const result: Record<string, Record<string, string[]>> = {};
  for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (!type) continue;
    result[type.name] = Object.fromEntries(
      Object.values(type.getFields()).map((field) => [field.name, field.args.map((arg) => arg.name).sort()]),
    );
  }
  return result;
}

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** Every type, field, argument, input field and enum value that has no description. */
function undescribed(): string[] {
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (!type.description) missing.push(`type ${type.name}`);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!field.description) missing.push(`field ${type.name}.${field.name}`);
        for (const arg of 'args' in field ? field.args : []) {
          if (!arg.description) missing.push(`argument ${type.name}.${field.name}(${arg.name})`);
        }
      }
    }
    if (isEnumType(type)) {
      for (const value of type.getValues())
        if (!value.description) missing.push(`enum value ${type.name}.${value.name}`);
    }
  }
  return missing;
}

describe('schema', () => {
  it('describes every type, field, argument, input field and enum value', () => {
    expect(undescribed()).toEqual([]);
  });

  it('schema/schema.graphql matches the code (run `npm run schema` after changing the schema)', () => {
    expect(read('schema/schema.graphql')).toBe(printSortedSchema());
  });

  it('test/generated/operations.ts is up to date (run `npm run codegen`)', async () => {
    const [output] = await generate(
      { ...codegenConfig, cwd: new URL('../..', import.meta.url).pathname, silent: true },
      false,
    );
    expect(read('test/generated/operations.ts')).toBe(output.content);
  });

  it('declares what clients rely on', () => {
    const sdl = printSortedSchema();
    for (const line of [
      'scalar Upload',
      'scalar DateTime',
      'videoNo: ID!',
      'videoName: String!',
      'status: VideoStatus!',
      'uploadTime: DateTime!',
      'receivedAt: DateTime!',
    ]) {
      expect(sdl).toContain(line);
    }
    expect(sdl).toMatch(/enum VideoStatus \{[^}]*FAIL[^}]*PARSE[^}]*UNPARSE[^}]*\}/);
    // videoStatus(videoNo: ID!): VideoStatusEvent! and video(videoNo: ID!): Video, whatever their descriptions.
    const videoStatus = schema.getSubscriptionType()!.getFields().videoStatus!;
    expect([String(videoStatus.type), videoStatus.args.map((arg) => `${arg.name}: ${String(arg.type)}`)]).toEqual([
      'VideoStatusEvent!',
      ['videoNo: ID!'],
    ]);
    const video = schema.getQueryType()!.getFields().video!;
    expect([String(video.type), video.args.map((arg) => `${arg.name}: ${String(arg.type)}`)]).toEqual([
      'Video',
      ['videoNo: ID!'],
    ]);
    // Root fields and their arguments, whatever the descriptions around them.
    const fields = rootFields();
    expect(fields.Mutation).toMatchObject({
      uploadVideo: ['file', 'metadata', 'owner', 'passthrough'],
      uploadVideoFromUrl: ['metadata', 'owner', 'passthrough', 'url'],
      deleteVideos: ['videoNos'],
    });
    expect(fields.Query).toMatchObject({
      video: ['videoNo'],
      videos: ['after', 'first', 'nameContains', 'owner', 'status'],
      searchVideos: ['first', 'query'],
      searchClips: ['first', 'minScore', 'query', 'videoNos'],
      transcript: ['kind', 'videoNo'],
    });
    expect(fields.Subscription).toMatchObject({
      videoStatus: ['videoNo'],
      chat: ['message', 'sessionId', 'videoNos'],
      transcriptReady: ['kind', 'videoNo'],
    });
  });

  it('gives every Video and ResumableUpload a global id, refetched with node(id:)', () => {
    const node = schema.getType('Node');
    expect(isInterfaceType(node) && String(node.getFields().id!.type)).toBe('ID!');
    for (const name of ['Video', 'ResumableUpload']) {
      const type = schema.getType(name);
      expect(isObjectType(type) && type.getInterfaces().map(String), name).toEqual(['Node']);
    }
    const field = schema.getQueryType()!.getFields().node!;
    expect([String(field.type), field.args.map((arg) => `${arg.name}: ${String(arg.type)}`)]).toEqual([
      'Node',
      ['id: ID!'],
    ]);
  });

  it('publishes every error code as the ErrorCode enum', () => {
    const errorCode = schema.getType('ErrorCode');
    expect(
      isEnumType(errorCode) &&
        errorCode
          .getValues()
          .map((value) => value.name)
          .sort(),
    ).toEqual(Object.keys(errorRegistry).sort());
  });

  it('answers null for a failed query or mutation field, so that its siblings still answer', () => {
    for (const type of [schema.getQueryType()!, schema.getMutationType()!]) {
      const nonNull = Object.values(type.getFields()).filter((field) => isNonNullType(field.type));
      expect(nonNull.map((field) => `${type.name}.${field.name}`)).toEqual([]);
    }
  });

  it('the operations the tests send (and codegen types) cover every root field', () => {
    const operations = read('test/operations/operations.graphql');
    for (const [type, fields] of Object.entries(rootFields())) {
      for (const field of Object.keys(fields)) {
        expect(operations, `${type}.${field}`).toMatch(new RegExp(`^\\s+${field}(\\(|\\s*\\{)`, 'm'));
      }
    }
  });
});
