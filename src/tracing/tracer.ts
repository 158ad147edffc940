/**
 * Spans for the gateway's own steps, through the OpenTelemetry API only: until
 * start-tracing.ts registers an SDK (OTEL_EXPORTER_OTLP_ENDPOINT), every span is
 * the API's no-op, which costs a function call.
 */
import {
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';

const tracer = trace.getTracer('mavi-graphql-gateway');

export { SpanKind };

/**
 * Runs `work` in a span that is the active one for everything it awaits (MAVI
 * requests, store writes), ending it when the work settles; a failure is
 * recorded on it and rethrown.
 */
export function inSpan<Result>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<Result>,
  options: { kind?: SpanKind; parent?: Context } = {},
): Promise<Result> {
  return tracer.startActiveSpan(
    name,
    { attributes, kind: options.kind ?? SpanKind.INTERNAL },
    options.parent ?? context.active(),
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** The trace a caller sent (W3C traceparent), to continue it. */
export function incomingContext(headers: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(context.active(), headers);
}

/** Starts a span that the caller ends, and the context in which it is active. */
export function startSpan(name: string, attributes: Attributes): { span: Span; context: Context } {
  const span = tracer.startSpan(name, { attributes });
  return { span, context: trace.setSpan(context.active(), span) };
}

/** Runs `work` with `active` as the active context. */
export function withContext<Result>(active: Context, work: () => Result): Result {
  return context.with(active, work);
}
