/** Writes the printed, sorted SDL to schema/schema.graphql (`npm run schema`). test/unit/schema.test.ts fails when it drifts. */
import { writeFileSync } from 'node:fs';
import { printSortedSchema } from '../src/graphql/schema.js';

const target = new URL('../schema/schema.graphql', import.meta.url);
writeFileSync(target, printSortedSchema());
process.stdout.write(`wrote ${target.pathname}\n`);
