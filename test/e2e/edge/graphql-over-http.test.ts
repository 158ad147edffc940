/**
 * GraphQL over HTTP conformance: graphql-http's server audits against /graphql.
 * Plain Yoga passes every MUST, SHOULD and MAY audit; the gateway must too.
 */
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../utils/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

describe('graphql-http server audits', () => {
  for (const audit of serverAudits({ url: () => `${stack.graphqlUrl}`, fetchFn: fetch })) {
    it(`${audit.name}`, async () => {
      const result = await audit.fn();
      if (result.status !== 'ok') {
        throw new Error(`${result.reason}\n${JSON.stringify(await result.response.text().catch(() => ''))}`);
      }
      expect(result.status).toBe('ok');
    });
  }
});
