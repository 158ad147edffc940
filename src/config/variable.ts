/**
 * One environment variable, declared once: its name, how its text is read, its default, and
 * what it means. The reference table (docs/reference.md) is printed from these declarations
 * (`npm run docs:reference`), and the configuration's type is inferred from them.
 *
 * A table of our own rather than zod: every kind here is a few lines, the messages must name
 * the variable and quote the value in our words (zod would need a message override on each),
 * and the rules that span variables are plain code either way.
 */

export type Env = Readonly<Record<string, string | undefined>>;
/** Records a problem with a variable's value; reading goes on, so that all problems are told at once. */
export type Report = (problem: string) => void;

interface Described {
  /** What the variable means, as the reference table says it (Markdown). */
  readonly meaning: string;
  /** How the table shows the default, where the value alone does not say it (a unit, a derived default). */
  readonly shown?: string;
}

export class Variable<T> {
  constructor(
    readonly name: string,
    readonly meaning: string,
    /** The default as the reference table shows it. */
    readonly shownDefault: string,
    private readonly fallback: T,
    /** Reads a set, non-blank value; reports a problem and returns the fallback when it is wrong. */
    private readonly parse: (raw: string, report: Report) => T,
  ) {}

  /** Whether the variable is set to something other than blanks. */
  isSet(env: Env): boolean {
    return (env[this.name]?.trim() ?? '') !== '';
  }

  read(env: Env, report: Report): T {
    const raw = env[this.name]?.trim();
    return raw === undefined || raw === '' ? this.fallback : this.parse(raw, report);
  }
}

const quoted = (value: string | number | boolean) => `\`${String(value)}\``;
const unset = (described: Described) => described.shown ?? 'unset';

/** A whole number within bounds. */
export function integer(
  name: string,
  options: Described & { default: number; min: number; max?: number; note?: string },
): Variable<number> {
  const shown = options.shown ?? quoted(options.default) + (options.note ? ` (${options.note})` : '');
  return new Variable(name, options.meaning, shown, options.default, (raw, report) =>
    wholeNumber(name, raw, options.min, options.max, report, options.default),
  );
}

/** A whole number of `min` (1 unless said) or more, or undefined when unset. */
export function optionalInteger(name: string, options: Described & { min?: number }): Variable<number | undefined> {
  return new Variable<number | undefined>(name, options.meaning, unset(options), undefined, (raw, report) =>
    wholeNumber(name, raw, options.min ?? 1, undefined, report, undefined),
  );
}

function wholeNumber<F>(name: string, raw: string, min: number, max: number | undefined, report: Report, fallback: F) {
  const value = Number(raw);
  const ceiling = max ?? Number.MAX_SAFE_INTEGER;
  if (/^\d+$/.test(raw) && value >= min && value <= ceiling) return value;
  report(`${name} must be a whole number from ${min} to ${ceiling}, got "${raw}"`);
  return fallback;
}

/** Text with a default. */
export function text(name: string, options: Described & { default: string }): Variable<string> {
  return new Variable(name, options.meaning, options.shown ?? quoted(options.default), options.default, (raw) => raw);
}

/**
 * Text, or undefined when unset. `problem` tells what is wrong with a value (or nothing);
 * it must not quote the value: some of these are secrets.
 */
export function optionalText(
  name: string,
  options: Described & { problem?: (value: string) => string | undefined },
): Variable<string | undefined> {
  return new Variable<string | undefined>(name, options.meaning, unset(options), undefined, (raw, report) => {
    const problem = options.problem?.(raw);
    if (problem === undefined) return raw;
    report(`${name} ${problem}`);
    return undefined;
  });
}

/** on/off (also true/false, 1/0, yes/no). */
export function flag(name: string, options: Described & { default: boolean }): Variable<boolean> {
  const shown = options.shown ?? quoted(options.default ? 'on' : 'off');
  return new Variable(name, options.meaning, shown, options.default, (raw, report) => {
    const value = raw.toLowerCase();
    if (['on', 'true', '1', 'yes'].includes(value)) return true;
    if (['off', 'false', '0', 'no'].includes(value)) return false;
    report(`${name} must be on or off, got "${value}"`);
    return options.default;
  });
}

/** One of a few words (compared without case). */
export function oneOf<T extends string>(
  name: string,
  allowed: readonly T[],
  options: Described & { default: T },
): Variable<T> {
  const shown = options.shown ?? quoted(options.default);
  return new Variable(name, options.meaning, shown, options.default, (raw, report) =>
    word(name, allowed, raw, report, options.default),
  );
}

/** One of a few words, or undefined when unset (the default is derived from other variables). */
export function optionalOneOf<T extends string>(
  name: string,
  allowed: readonly T[],
  options: Described,
): Variable<T | undefined> {
  return new Variable<T | undefined>(name, options.meaning, unset(options), undefined, (raw, report) =>
    word(name, allowed, raw, report, undefined),
  );
}

function word<T extends string, F>(name: string, allowed: readonly T[], raw: string, report: Report, fallback: F) {
  const value = raw.toLowerCase();
  if ((allowed as readonly string[]).includes(value)) return value as T;
  report(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return fallback;
}

/** An http(s) URL without query or fragment, its trailing slashes removed; undefined when unset. */
export function httpUrl(name: string, options: Described): Variable<string | undefined> {
  return new Variable<string | undefined>(name, options.meaning, unset(options), undefined, (raw, report) => {
    try {
      const url = new URL(raw);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
      if (url.search || url.hash) throw new Error('has a query');
      return url.href.replace(/\/+$/, '');
    } catch {
      report(`${name} must be an http(s) URL without query or fragment, got "${raw}"`);
      return undefined;
    }
  });
}

/** A value with a reader of its own (a list, a structured value). */
export function custom<T>(
  name: string,
  options: Described & { default: T; shown: string; parse: (raw: string, report: Report) => T },
): Variable<T> {
  return new Variable(name, options.meaning, options.shown, options.default, options.parse);
}

/** Declarations grouped as the configuration is: a variable, or a group of them. */
export interface Declarations {
  readonly [key: string]: Variable<unknown> | Declarations;
}

/** The values the declarations read to, in the same shape. */
export type Values<D> = {
  readonly [K in keyof D]: D[K] extends Variable<infer V> ? V : Values<D[K]>;
};

export function readValues<D extends Declarations>(declarations: D, env: Env, report: Report): Values<D> {
  const entries = Object.entries(declarations).map(([key, entry]) => [
    key,
    entry instanceof Variable ? entry.read(env, report) : readValues(entry, env, report),
  ]);
  return Object.fromEntries(entries) as Values<D>;
}

/** Every variable declared, in declaration order. */
export function variablesOf(declarations: Declarations): Variable<unknown>[] {
  return Object.values(declarations).flatMap((entry) => (entry instanceof Variable ? [entry] : variablesOf(entry)));
}
