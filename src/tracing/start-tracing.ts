/**
 * OpenTelemetry, opt-in: loaded (by index.ts, with a dynamic import) only when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set, so that a gateway without it loads no SDK.
 * Spans go to `<endpoint>/v1/traces` over OTLP/HTTP; undici's requests (every
 * call to MAVI) are traced by its instrumentation, through diagnostics_channel,
 * which needs no module hooks; the gateway's own steps by tracing/tracer.ts.
 */
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';

export interface Tracing {
  /** Exports what is buffered, then stops. */
  stop(): Promise<void>;
}

export function startTracing(options: { endpoint: string; serviceName: string }): Tracing {
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    traceExporter: new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces` }),
    instrumentations: [
      new UndiciInstrumentation({
        // A request's query can carry a callback URL, and with it a callback token: spans keep only the path.
        requestHook: (span, request) => {
          const path = request.path.split('?')[0] ?? '';
          span.setAttribute('url.full', `${request.origin}${path}`);
          span.setAttribute('url.query', '');
        },
      }),
    ],
  });
  sdk.start();
  return { stop: () => sdk.shutdown() };
}
