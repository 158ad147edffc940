/**
 * Prints the variables table into docs/reference.md from the declarations in
 * src/config/variables.ts (`npm run docs:reference`). test/unit/config.test.ts fails when the
 * committed table drifts from them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { variablesOf } from '../src/config/variable.js';
import { VARIABLES } from '../src/config/variables.js';

const target = new URL('../docs/reference.md', import.meta.url);
const doc = readFileSync(target, 'utf8');
const rows = variablesOf(VARIABLES).map(
  ({ name, meaning, shownDefault }) => `| \`${name}\` | ${meaning} | ${shownDefault} |`,
);
const table = ['| variable | meaning | default |', '| --- | --- | --- |', ...rows].join('\n');

// The table is the section's only lines that start with a pipe: replace them, keep the prose.
const start = doc.indexOf('## Variables');
const end = doc.indexOf('## Errors');
const section = doc.slice(start, end).split('\n');
const first = section.findIndex((line) => line.startsWith('|'));
const last = section.length - 1 - [...section].reverse().findIndex((line) => line.startsWith('|'));
const updated = [...section.slice(0, first), table, ...section.slice(last + 1)].join('\n');
const text = doc.slice(0, start) + updated + doc.slice(end);
const options = await resolveConfig(target.pathname);
writeFileSync(target, await format(text, { ...options, filepath: target.pathname }));
process.stdout.write(`wrote ${target.pathname}\n`);
