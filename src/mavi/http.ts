/**
 * One HTTP call to MAVI, over undici, for every family: the key goes into the
 * Authorization header (raw, as both families document) and nowhere else, never
 * into an error, a log field or a URL; the answer's envelope is checked and
 * MAVI's refusals become MaviErrors.
 */
import type { Readable } from 'node:stream';
import { Agent, request, errors as undiciErrors, type Dispatcher } from 'undici';
import type { GatewayMetrics } from '../metrics/metrics.js';
import { MaviError, maviErrorFromAnswer } from './errors.js';

export interface MaviHttpOptions {
  /** MAVI's origin, e.g. https://api.memories.ai; each family adds its path prefix. */
  baseUrl: string;
  apiKey: string;
  /** Time allowed for MAVI's answer headers after the whole request was sent. */
  headersTimeoutMs?: number;
  /** Longest silence while reading MAVI's answer body. */
  bodyTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Counts each request by endpoint and outcome, with its latency. */
  metrics?: Pick<GatewayMetrics, 'maviRequests' | 'maviLatency'>;
}

export interface CallInit {
  method: 'GET' | 'POST' | 'DELETE';
  headers?: Record<string, string>;
  body?: AsyncIterable<Uint8Array> | string;
  query?: Record<string, string>;
}

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

  /** Times one request to `path`; its outcome is ok, or the MaviError's code. */
  const measured = async <Result>(path: string, request: () => Promise<Result>): Promise<Result> => {
    const endpoint = path.slice(path.lastIndexOf('/') + 1); // the family's fixed endpoint names
    const stop = options.metrics?.maviLatency.startTimer({ endpoint });
    try {
      const result = await request();
      options.metrics?.maviRequests.inc({ endpoint, outcome: 'ok' });
      return result;
    } catch (error) {
      options.metrics?.maviRequests.inc({
        endpoint,
        outcome: error instanceof MaviError ? error.code : 'INTERNAL_SERVER_ERROR',
      });
      throw error;
    } finally {
      stop?.();
    }
  };

  return {
    call: <Data>(path: string, init: CallInit, accept?: (error: MaviError) => boolean) =>
      measured(path, () => callOnce<Data>(path, init, accept)),
    stream: (path: string, init: CallInit, signal: AbortSignal) => measured(path, () => streamOnce(path, init, signal)),
    close: () => dispatcher.close(),
  };

  async function callOnce<Data>(path: string, init: CallInit, accept?: (error: MaviError) => boolean) {
    const url = urlOf(path, init.query);

    let answer: Dispatcher.ResponseData;
    let text: string;
    try {
      answer = await request(url, {
        method: init.method,
        // undici streams any async iterable body; its typings only list Readable.
        body: init.body as Readable | string | undefined,
        dispatcher,
        headers: { ...init.headers, authorization: options.apiKey },
      });
      text = await answer.body.text();
    } catch (error) {
      throw transportError(error);
    }
    const envelope = parseEnvelope(text);
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
      const text = await answer.body.text().catch(() => '');
      const envelope = parseEnvelope(text);
      const failure = maviErrorFromAnswer(answer.statusCode, envelope);
      if (failure) throw failure;
      if (answer.statusCode >= 300) throw new MaviError('MAVI_UNAVAILABLE', `MAVI answered HTTP ${answer.statusCode}.`);
      return readingErrorsAsMavi([Buffer.from(text)]);
    }
    return readingErrorsAsMavi(answer.body);
  }
}

/** A body whose read failures (reset, timeout) are MAVI being unavailable, like any call's. */
async function* readingErrorsAsMavi(body: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of body) yield chunk;
  } catch (error) {
    throw transportError(error);
  }
}

function parseEnvelope(text: string): { code?: unknown; msg?: unknown; data?: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
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
