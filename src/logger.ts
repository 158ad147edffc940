/**
 * A small structured logger: one JSON line per entry. Every line passes through
 * `redact`, so a secret that slips into a message or an error (a MAVI key echoed
 * by an upstream, a client key in a header dump) is replaced before it is written.
 * The same `redact` scrubs what clients are sent (server/yoga.ts).
 *
 * A secret of MIN_SUBSTRING_SECRET characters or more is replaced wherever it
 * occurs, even inside a longer word. A shorter one (only MAVI_API_KEY has no
 * minimum length) is replaced only as a whole token: replacing every occurrence
 * of a few letters would mangle every line while protecting nothing.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

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
  secrets?: readonly (string | undefined)[];
  /** Where a finished line goes; stderr by default. Tests capture it here. */
  write?: (line: string) => void;
}

const REDACTED = '[redacted]';

/** Secrets at least this long are redacted anywhere; shorter ones only as whole tokens. */
const MIN_SUBSTRING_SECRET = 8;

/** Characters that can continue a key-like token: a short secret next to one is part of another word. */
const TOKEN_CHAR = '[A-Za-z0-9_-]';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const minRank = levelRank[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
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
    return result;
  };

  const log = (level: LogLevel, message: string, fields: Record<string, unknown> = {}) => {
    if (levelRank[level] < minRank) return;
    const entry = { time: new Date().toISOString(), level, message, ...serializeFields(fields) };
    write(redact(JSON.stringify(entry)));
  };

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

function describeCause(cause: unknown): unknown {
  if (cause instanceof Error) return { name: cause.name, message: cause.message };
  return cause;
}
