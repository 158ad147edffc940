/**
 * One HTTP call to MAVI, over undici, for every family: the key goes into the
 * Authorization header (raw, as both families document) and nowhere else, never
 * into an error, a log field or a URL; the answer's envelope is checked and
 * MAVI's refusals become MaviErrors.
 *
 * Every call is bounded, whatever MAVI does: its answer's size (a larger answer
 * is MAVI_UNAVAILABLE, and nothing of it is parsed), and its whole duration (a
 * total deadline, which undici's timeouts are not: `bodyTimeout` measures the
 * gaps between bytes, so one byte a second never trips it). An upload's deadline
 * counts from its last byte sent: sending takes as long as the client does. A
 * call whose caller no longer waits (the client left) is aborted at MAVI.
 */
import { Readable } from 'node:stream';
import { isInteger, isSafeNumber, parse as parseLossless } from 'lossless-json';
import { Agent, request, errors as undiciErrors, type Dispatcher } from 'undici';
import { networkCodeOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import type { MaviFamily } from './api.js';
import { MaviError, maviErrorFromAnswer, OPERATOR_CODES } from './errors.js';

export interface MaviHttpOptions {
  /** MAVI's origin, e.g. https://api.memories.ai; each family adds its path prefix. */
  baseUrl: string;
  apiKey: string;
  /** Time allowed for MAVI's answer headers after the whole request was sent. */
  headersTimeoutMs?: number;
  /** Longest silence while reading MAVI's answer body. */
  bodyTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** The longest answer read, in bytes (MAVI_MAX_ANSWER_BYTES). */
  maxAnswerBytes?: number;
  /** A call's whole duration, from its start to its answer's last byte (MAVI_CALL_TIMEOUT_MS). */
  callTimeoutMs?: number;
  /** An upload's answer, from the file's last byte sent to the answer's last byte (MAVI_UPLOAD_ANSWER_TIMEOUT_MS). */
  uploadAnswerTimeoutMs?: number;
  /** Counts each request by endpoint and outcome, with its latency. */
  metrics?: Pick<GatewayMetrics, 'maviRequests' | 'maviLatency'>;
  /** Where every failed call is logged, once, with its cause. */
  logger?: Pick<Logger, 'warn' | 'error'>;
  /** The family spoken, for messages that help an operator pick the right one. */
  family?: MaviFamily;
}

export interface CallInit {
  method: 'GET' | 'POST' | 'DELETE';
  headers?: Record<string, string>;
  body?: AsyncIterable<Uint8Array> | string;
  query?: Record<string, string>;
  /** An upload: its deadline starts once the body (a stream) has been sent whole. */
  upload?: boolean;
  /** Aborts the call at MAVI: whoever asked no longer waits for it. */
  signal?: AbortSignal;
  /**
   * Integers beyond 2^53 are answered as strings, exactly (MAVI writes some ids, image ids
   * among them, as JSON numbers that a plain parse would round: docs/memories-api.md §1.7).
   */
  exactIntegers?: boolean;
  /** Reads an answer that is not MAVI's usual envelope (the stream host's `{status, task_id}`) as one. */
  envelopeOf?: (answer: Record<string, unknown>) => Envelope;
}

/** MAVI's answer envelope: a code, a message, and the data. */
export interface Envelope {
  code?: unknown;
  msg?: unknown;
  data?: unknown;
}

const DEFAULTS = { maxAnswerBytes: 8 * 1024 * 1024, callTimeoutMs: 60_000, uploadAnswerTimeoutMs: 120_000 };

/** An envelope whose code says success; what `accept` lets through as success too. */
export interface MaviHttp {
  /** The envelope's `data`; throws MaviError for refusals, unless `accept(error)` says the refusal is fine. */
  call<Data>(path: string, init: CallInit, accept?: (error: MaviError) => boolean): Promise<Data | undefined>;
  /**
   * A streamed answer (chat): its body's chunks, read only as the caller pulls, so
   * MAVI's stream is read with backpressure. `signal` aborts the request at any
   * point. An HTTP failure is read and thrown as a MaviError instead.
   */
  stream(path: string, init: CallInit, signal: AbortSignal): Promise<AsyncIterable<Buffer>>;
  close(): Promise<void>;
}

export function createMaviHttp(options: MaviHttpOptions): MaviHttp {
  const dispatcher = new Agent({
    headersTimeout: options.headersTimeoutMs ?? 120_000,
    bodyTimeout: options.bodyTimeoutMs ?? 30_000,
    connect: { timeout: options.connectTimeoutMs ?? 10_000 },
  });

  /** MAVI's address for `path`, with the query. */
  const urlOf = (path: string, query: Record<string, string> = {}) => {
    const url = new URL(`${options.baseUrl}${path}`);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return url;
  };

  /**
   * Times one request to `path`; its outcome is ok, or the MaviError's code. A failure is
   * logged here, once for every caller: at error level when the operator must act (the key,
   * the credits, the settings), else as a warning, always with its cause. A call its caller
   * abandoned (`signal`) is not a failure of MAVI's.
   */
  const measured = async <Result>(
    path: string,
    request: () => Promise<Result>,
    signal?: AbortSignal,
  ): Promise<Result> => {
    const endpoint = path.slice(path.lastIndexOf('/') + 1); // the family's fixed endpoint names
    const stop = options.metrics?.maviLatency.startTimer({ endpoint });
    try {
      const result = await request();
      options.metrics?.maviRequests.inc({ endpoint, outcome: 'ok' });
      return result;
    } catch (error) {
      const failure = error instanceof MaviError ? withHint(error) : error;
      options.metrics?.maviRequests.inc({
        endpoint,
        outcome: failure instanceof MaviError ? failure.code : 'INTERNAL_SERVER_ERROR',
      });
      if (failure instanceof MaviError && !signal?.aborted) logFailure(endpoint, failure);
      throw failure;
    } finally {
      stop?.();
    }
  };

  /** MAVI refusing the key may mean the other family: the message says which was spoken, and the other. */
  function withHint(error: MaviError): MaviError {
    if (error.code !== 'MAVI_AUTH' || options.family === undefined) return error;
    const hint =
      options.family === 'original'
        ? 'The gateway spoke the original API (MAVI_API=original); keys issued by memories.ai today are for MAVI_API=v1.'
        : 'The gateway spoke the memories.ai API (MAVI_API=v1); a key for the original API needs MAVI_API=original.';
    return new MaviError(error.code, `${error.message} ${hint}`, error.context);
  }

  function logFailure(endpoint: string, failure: MaviError): void {
    const { httpStatus, maviCode, maviMsg } = failure.context;
    const fields = {
      endpoint,
      code: failure.code,
      cause: causeOf(failure),
      httpStatus,
      maviCode,
      maviMsg,
      family: options.family,
      baseUrl: options.baseUrl,
    };
    const message = `MAVI call failed: ${failure.message}`;
    if (OPERATOR_CODES.includes(failure.code)) options.logger?.error(message, fields);
    else options.logger?.warn(message, fields);
  }

  return {
    call: <Data>(path: string, init: CallInit, accept?: (error: MaviError) => boolean) =>
      measured(path, () => callOnce<Data>(path, init, accept), init.signal),
    stream: (path: string, init: CallInit, signal: AbortSignal) =>
      measured(path, () => streamOnce(path, init, signal), signal),
    close: () => dispatcher.close(),
  };

  async function callOnce<Data>(path: string, init: CallInit, accept?: (error: MaviError) => boolean) {
    const url = urlOf(path, init.query);
    const deadline = callDeadline(init, options);
    let answer: Dispatcher.ResponseData;
    let text: string;
    try {
      answer = await request(url, {
        method: init.method,
        // undici streams any async iterable body; its typings only list Readable.
        body: init.body as Readable | string | undefined,
        dispatcher,
        signal: deadline.signal,
        headers: { ...init.headers, authorization: options.apiKey },
      });
      text = await boundedText(answer, options.maxAnswerBytes ?? DEFAULTS.maxAnswerBytes);
    } catch (error) {
      throw deadline.reason() ?? transportError(error);
    } finally {
      deadline.clear();
    }
    const parsed = parseAnswer(text, init.exactIntegers === true);
    const envelope = parsed && init.envelopeOf ? init.envelopeOf(parsed) : parsed;
    const failure = maviErrorFromAnswer(answer.statusCode, envelope);
    if (failure && !accept?.(failure)) throw failure;
    return envelope?.data as Data | undefined;
  }

  async function streamOnce(path: string, init: CallInit, signal: AbortSignal): Promise<AsyncIterable<Buffer>> {
    const url = urlOf(path, init.query);
    let answer: Dispatcher.ResponseData;
    try {
      answer = await request(url, {
        method: init.method,
        body: init.body as Readable | string | undefined,
        dispatcher,
        signal,
        headers: { ...init.headers, authorization: options.apiKey },
      });
    } catch (error) {
      throw transportError(error);
    }
    // A JSON answer instead of a stream is an envelope: MAVI refusing (busy, bad key, …).
    const json = String(answer.headers['content-type'] ?? '').includes('application/json');
    if (answer.statusCode >= 300 || json) {
      const text = await boundedText(answer, options.maxAnswerBytes ?? DEFAULTS.maxAnswerBytes).catch(() => '');
      const envelope = parseAnswer(text, false);
      const failure = maviErrorFromAnswer(answer.statusCode, envelope);
      if (failure) throw failure;
      if (answer.statusCode >= 300) throw new MaviError('MAVI_UNAVAILABLE', `MAVI answered HTTP ${answer.statusCode}.`);
      return readingErrorsAsMavi([Buffer.from(text)]);
    }
    return readingErrorsAsMavi(answer.body);
  }
}

/**
 * The call's total deadline, and the caller's abort, as one signal for undici. An
 * upload's deadline starts when its body stream ends (undici has read it all).
 * `reason()` is the MaviError to throw once the deadline passed.
 */
function callDeadline(
  init: CallInit,
  options: MaviHttpOptions,
): { signal: AbortSignal; reason(): MaviError | undefined; clear(): void } {
  const controller = new AbortController();
  const timeoutMs = init.upload
    ? (options.uploadAnswerTimeoutMs ?? DEFAULTS.uploadAnswerTimeoutMs)
    : (options.callTimeoutMs ?? DEFAULTS.callTimeoutMs);
  let timer: NodeJS.Timeout | undefined;
  let expired: MaviError | undefined;
  const start = () => {
    timer ??= setTimeout(() => {
      expired = new MaviError(
        'MAVI_UNAVAILABLE',
        init.upload
          ? `MAVI did not answer the upload within ${timeoutMs} ms of its last byte.`
          : `MAVI did not answer within ${timeoutMs} ms.`,
      );
      controller.abort(expired);
    }, timeoutMs);
  };
  if (init.upload && init.body instanceof Readable) init.body.once('end', start);
  else start();
  const callerLeft = () => controller.abort(init.signal?.reason);
  if (init.signal?.aborted) callerLeft();
  else init.signal?.addEventListener('abort', callerLeft, { once: true });
  return {
    signal: controller.signal,
    reason: () => expired,
    clear: () => {
      clearTimeout(timer);
      init.signal?.removeEventListener('abort', callerLeft);
      if (init.upload && init.body instanceof Readable) init.body.off('end', start);
    },
  };
}

/** The body as text, read only up to `maxBytes`: a larger answer is refused before it is held, let alone parsed. */
async function boundedText(answer: Dispatcher.ResponseData, maxBytes: number): Promise<string> {
  const { body } = answer;
  const tooLarge = () =>
    new MaviError('MAVI_UNAVAILABLE', `MAVI answered with more than ${maxBytes} bytes (MAVI_MAX_ANSWER_BYTES).`);
  if (Number(answer.headers['content-length'] ?? 0) > maxBytes) {
    body.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/** A body whose read failures (reset, timeout) are MAVI being unavailable, like any call's. */
async function* readingErrorsAsMavi(body: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of body) yield chunk;
  } catch (error) {
    throw transportError(error);
  }
}

/** The answer's JSON object, or undefined when it is not one; with `exactIntegers`, large integers as strings. */
function parseAnswer(text: string, exactIntegers: boolean): Record<string, unknown> | undefined {
  try {
    const value: unknown = exactIntegers ? parseLossless(text, null, exactNumber) : JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON number as a number, unless it is an integer a double cannot hold: then its digits. */
function exactNumber(digits: string): number | string {
  return !isSafeNumber(digits) && isInteger(digits) ? digits : Number(digits);
}

/**
 * Why a call failed, in a word or two an operator can act on: the HTTP status MAVI (or
 * whatever answered) gave, or the transport's own code (ECONNREFUSED, ENOTFOUND, a timeout).
 */
function causeOf(failure: MaviError): string {
  if (failure.context.httpStatus !== undefined) return `HTTP ${failure.context.httpStatus}`;
  const code = networkCodeOf(failure.context.cause);
  if (code !== undefined) return code;
  return failure.context.cause instanceof Error ? failure.context.cause.message : failure.message;
}

/** A failure before MAVI answered: the upload's own failure (a refused file) stays; the rest is "unavailable". */
function transportError(error: unknown): unknown {
  if (error instanceof MaviError) return error;
  const reason =
    error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError
      ? 'MAVI did not answer in time.'
      : 'The connection to MAVI failed.';
  return new MaviError('MAVI_UNAVAILABLE', reason, { cause: error });
}
