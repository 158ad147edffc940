/** The per-owner bound on what a client holds open (sockets, SSE streams, uploads). */
import { describe, expect, it } from 'vitest';
import { OpenPerOwner } from '../../src/limits/open-per-owner.js';

describe('OpenPerOwner', () => {
  it('takes up to the bound per owner, each owner apart, and takes again after a give', () => {
    const open = new OpenPerOwner(2);
    expect([open.take('a'), open.take('a'), open.take('a')]).toEqual([true, true, false]);
    expect(open.full('a')).toBe(true);
    expect(open.take('b')).toBe(true);
    open.give('a');
    expect(open.full('a')).toBe(false);
    expect(open.take('a')).toBe(true);
  });

  it('counts an add past the bound, and an owner given back to none starts afresh', () => {
    const open = new OpenPerOwner(1);
    open.add('a');
    open.add('a');
    open.give('a');
    expect(open.full('a')).toBe(true);
    open.give('a');
    open.give('a'); // one give too many does not go below none
    expect(open.take('a')).toBe(true);
    expect(open.take('a')).toBe(false);
  });
});
