/**
 * The structured logger, on pino: JSON lines in production, readable lines on a
 * terminal or with LOG_FORMAT=pretty. Every line passes through `redact` on its
 * way out, so a secret that slips into a message or an error (a MAVI key echoed by
 * an upstream, a client key in a header dump) is replaced before it is written:
 * pino's own path redaction cannot see inside a message, so the scrubber sits in
 * the write path, after pino has made the line. The same `redact` scrubs what
 * clients are sent (server/yoga.ts).
 *
 * A secret of MIN_SUBSTRING_SECRET characters or more is replaced wherever it
 * occurs, even inside a longer word. A shorter one (only MAVI_API_KEY has no
 * minimum length) is replaced only as a whole token: replacing every occurrence
 * of a few letters would mangle every line while protecting nothing.
 *
 * Anything shaped like a JSON Web Token (an end user's token: `eyJ…` in three
 * base64url parts) is replaced too, wherever it occurs: tokens are not known in
 * advance as the configured secrets are.
 *
 * Every line logged while a request is handled carries its request id (see
 * `withRequestId`): the id lives in AsyncLocalStorage, and pino's mixin reads it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createRequire } from 'node:module';

type LogLevel = 'debug' | 'info' | 'warn' | 'error';
type LogFormat = 'json' | 'pretty';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Adds a secret to redact from every later line. */
  addSecret(secret: string): void;
  /** The text with every registered secret replaced. */
  redact(text: string): string;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** JSON lines, or readable ones; by default readable only when stdout is a terminal. */
  format?: LogFormat;
  secrets?: readonly (string | undefined)[];
  /** Where a finished JSON line goes; stdout by default. Tests capture it here. */
  write?: (line: string) => void;
}

const requestContext = new AsyncLocalStorage<{ requestId: string }>();

/** Runs `work` as part of request `requestId`: every line it logs, however deep, carries the id. */
export function withRequestId<Result>(requestId: string, work: () => Result): Result {
  return requestContext.run({ requestId }, work);
}

const REDACTED = '[redacted]';
/** A JWT: a header (base64url of `{"…`), a payload and a signature. */
const TOKEN_PATTERN = /eyJ[\w-]{2,}\.[\w-]{2,}\.[\w-]*/g;

/** Secrets at least this long are redacted anywhere; shorter ones only as whole tokens. */
const MIN_SUBSTRING_SECRET = 8;

/** Characters that can continue a key-like token: a short secret next to one is part of another word. */
const TOKEN_CHAR = '[A-Za-z0-9_-]';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = new Set<string>();
  const shortSecrets: RegExp[] = [];
  const addSecret = (secret: string | undefined) => {
    if (!secret || secrets.has(secret)) return;
    secrets.add(secret);
    if (secret.length < MIN_SUBSTRING_SECRET) {
      shortSecrets.push(new RegExp(`(?<!${TOKEN_CHAR})${escapeRegExp(secret)}(?!${TOKEN_CHAR})`, 'g'));
    }
  };
  options.secrets?.forEach(addSecret);

  const redact = (text: string): string => {
    let result = text;
    for (const secret of secrets) {
      if (secret.length >= MIN_SUBSTRING_SECRET) result = result.split(secret).join(REDACTED);
    }
    for (const pattern of shortSecrets) result = result.replace(pattern, REDACTED);
    return result.replace(TOKEN_PATTERN, REDACTED);
  };

  const format = options.format ?? (process.stdout.isTTY ? 'pretty' : 'json');
  const sink =
    options.write ??
    ((line: string) => {
      process.stdout.write(`${line}\n`);
    });
  const output = format === 'pretty' ? prettyWriter(sink) : sink;
  const instance = pino(
    {
      level: options.level ?? 'info',
      messageKey: 'message',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const context = requestContext.getStore();
        return context ? { requestId: context.requestId } : {};
      },
    },
    // pino writes each line whole; it is scrubbed before it goes anywhere.
    { write: (line: string) => output(redact(line.replace(/\n$/, ''))) },
  );

  const log = (level: LogLevel, message: string, fields: Record<string, unknown> = {}) =>
    instance[level](serializeFields(fields), message);

  return {
    debug: (message, fields) => log('debug', message, fields),
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
    addSecret,
    redact,
  };
}

/** Errors do not survive JSON.stringify; keep what an operator needs from them. */
function serializeFields(fields: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    result[key] =
      value instanceof Error
        ? { name: value.name, message: value.message, stack: value.stack, cause: describeCause(value.cause) }
        : value;
  }
  return result;
}

/** Readable lines for a terminal (pino-pretty), made from the scrubbed JSON line and given to `sink`. */
function prettyWriter(sink: (text: string) => void): (line: string) => void {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      sink(chunk.toString().replace(/\n$/, ''));
      done();
    },
  });
  // Loaded only for readable output: production (JSON lines) never pays for it.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  const stream = pretty({
    colorize: process.stdout.isTTY === true,
    messageKey: 'message',
    translateTime: 'HH:MM:ss.l',
    sync: true,
    destination,
  });
  return (line) => {
    stream.write(`${line}\n`);
  };
}

function describeCause(cause: unknown): unknown {
  if (cause instanceof Error) return { name: cause.name, message: cause.message };
  return cause;
}
