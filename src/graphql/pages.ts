/**
 * Pages of a list, as the Relay connection spec has them: `PageInfo`, and the cursors, which
 * are a list position (a time and an id, newest first) as base64url JSON, opaque to clients.
 * Videos and pictures page the same way.
 */
import { gatewayError } from '../errors.js';
import { builder } from './builder.js';

interface PageInfoValue {
  startCursor: string | undefined;
  endCursor: string | undefined;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export const PageInfo = builder.objectRef<PageInfoValue>('PageInfo').implement({
  description:
    'Where a page starts and ends, and whether more follow (the Relay connection spec; lists page forward, with `first` and `after`).',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage', { description: 'True when `after: endCursor` may give more.' }),
    hasPreviousPage: t.exposeBoolean('hasPreviousPage', {
      description: 'True when this page was asked for `after` a cursor: items come before it.',
    }),
    startCursor: t.string({
      nullable: true,
      description: "The page's first item's cursor; null when the page is empty.",
      resolve: (info) => info.startCursor,
    }),
    endCursor: t.string({
      nullable: true,
      description: 'Pass as `after` for the next page; null when the page is empty.',
      resolve: (info) => info.endCursor,
    }),
  }),
});

/** A page of items: those found, the last one's position when more follow, and the cursor it was asked `after`. */
export interface Page<Item> {
  records: readonly Item[];
  next?: Item | undefined;
  after: unknown;
}

/** The page's PageInfo, each item's cursor made by `cursorOf`. */
export function pageInfoOf<Item>(page: Page<Item>, cursorOf: (item: Item) => string): PageInfoValue {
  const [start, last] = [page.records[0], page.next ?? page.records.at(-1)];
  return {
    hasNextPage: page.next !== undefined,
    hasPreviousPage: page.after !== undefined,
    startCursor: start ? cursorOf(start) : undefined,
    endCursor: last ? cursorOf(last) : undefined,
  };
}

/** A list position as a cursor. */
export function encodeCursor(time: number, id: string): string {
  return Buffer.from(JSON.stringify([time, id])).toString('base64url');
}

/** A cursor's list position; INVALID_INPUT when it is not a cursor this gateway gave. */
export function decodeCursor(cursor: string): { time: number; id: string } {
  try {
    const [time, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    if (typeof time === 'number' && Number.isSafeInteger(time) && typeof id === 'string') return { time, id };
  } catch {
    // falls through to the refusal
  }
  throw gatewayError('INVALID_INPUT', '`after` is not a cursor this gateway gave.');
}
