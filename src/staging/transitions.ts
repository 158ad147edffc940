/**
 * The one place that decides where a resumable upload stands and how it moves: RECEIVING its
 * bytes, FORWARDING them to MAVI, then REGISTERED or FAILED for good. What each state means
 * to the bounds (its bytes count while staged), to the job queue and to the expiry index is
 * said here once; the Redis ledger's scripts get the same table generated from it.
 */

export type StagedUploadState = 'RECEIVING' | 'FORWARDING' | 'REGISTERED' | 'FAILED';

interface StateRules {
  /** How far along: an upload never goes back to a lower step. */
  step: number;
  /** Its bytes are (or will be) in staging: the bounds count it. */
  staged: boolean;
  /** A forwarding job: in the queue workers claim from. */
  queued: boolean;
  /** It expires unfinished: in the expiry index the sweep reads. */
  expires: boolean;
}

const STATES: Record<StagedUploadState, StateRules> = {
  RECEIVING: { step: 0, staged: true, queued: false, expires: true },
  FORWARDING: { step: 1, staged: true, queued: true, expires: false },
  REGISTERED: { step: 2, staged: false, queued: false, expires: false },
  FAILED: { step: 2, staged: false, queued: false, expires: false },
};

/** An upload the bounds count: its bytes are (or will be) in staging. */
export function isStaged(state: StagedUploadState): boolean {
  return STATES[state].staged;
}

/** REGISTERED or FAILED: nothing comes after. */
export function isFinal(state: StagedUploadState): boolean {
  return STATES[state].step === 2;
}

/** Whether an upload that was `last` may now be `next` (events from several instances may cross). */
export function movesOn(last: StagedUploadState, next: StagedUploadState): boolean {
  return STATES[next].step >= STATES[last].step;
}

/**
 * The same rules as a Lua table for the Redis ledger's scripts, generated from STATES so that
 * they live only here: STATE[state].staged, .queued and .expires.
 */
export function luaStateTable(): string {
  const rows = Object.entries(STATES).map(([state, rules]) => {
    const flags = (['staged', 'queued', 'expires'] as const).map((flag) => `${flag} = ${rules[flag]}`);
    return `${state} = { ${flags.join(', ')} }`;
  });
  return `local STATE = { ${rows.join(', ')}, REMOVED = { staged = false, queued = false, expires = false } }`;
}
