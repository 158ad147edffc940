/** The error registry and the error table (docs/reference.md) describe the same codes. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorRegistry } from '../../src/errors.js';

const readme = readFileSync(new URL('../../docs/reference.md', import.meta.url), 'utf8');
const errorsSection = readme.slice(
  readme.indexOf('## Errors'),
  readme.indexOf('\n## ', readme.indexOf('## Errors') + 1),
);
const documented = [...errorsSection.matchAll(/^\| `([A-Z_]+)` +\|/gm)].map((match) => match[1]);

describe('error codes', () => {
  it('every code a client can get is documented in docs/reference.md', () => {
    for (const code of Object.keys(errorRegistry)) expect(documented, code).toContain(code);
  });

  it('docs/reference.md documents no code that does not exist', () => {
    for (const code of documented) {
      if (code === 'INTERNAL_SERVER_ERROR') continue; // Yoga's code for masked errors
      expect(Object.keys(errorRegistry), code).toContain(code);
    }
  });
});
