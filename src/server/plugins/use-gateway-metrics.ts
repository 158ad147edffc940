/**
 * The GraphQL side of the metrics: operations, their errors and their duration
 * from @graphql-yoga/plugin-prometheus, and subscriptions by transport from a
 * small plugin of our own. Operations are labelled by their type and root fields
 * (`videos`, `uploadVideo`…), which the schema bounds, never by the operation
 * name a client chose or the URL: a client cannot grow the series.
 */
import type { ServerResponse } from 'node:http';
import type { DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { createCounter, createHistogram, usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { GatewayMetrics, Transport } from '../../metrics/metrics.js';
import { releaseAtEndOrClose } from './connection-closed.js';
import { knownRootFields, rootFieldsOf } from './root-fields.js';
import { schema } from '../../graphql/schema.js';

export function useGatewayMetrics(metrics: GatewayMetrics): Plugin[] {
  const { registry } = metrics;
  const known = knownRootFields(schema);
  const labels = (params: { document?: DocumentNode; operationType?: string }) => ({
    operationType: params.operationType ?? 'unknown',
    rootFields: rootFieldsOf(params.document, known),
  });
  return [
    usePrometheus({
      registry,
      endpoint: false, // served by the gateway, behind METRICS_TOKEN (edge/request-handler.ts)
      labels: { url: false, operationName: false },
      metrics: {
        graphql_envelop_request: createCounter({
          registry,
          counter: {
            name: 'graphql_envelop_request',
            help: 'GraphQL operations, by type and root fields.',
            labelNames: ['operationType', 'rootFields'],
          },
          fillLabelsFn: labels,
        }),
        graphql_envelop_error_result: createCounter({
          registry,
          counter: {
            name: 'graphql_envelop_error_result',
            help: 'GraphQL operations that ended with errors, by type, root fields and the phase that failed.',
            labelNames: ['operationType', 'rootFields', 'phase'],
          },
          fillLabelsFn: (params) => ({ ...labels(params), phase: params.errorPhase ?? 'unknown' }),
        }),
        graphql_envelop_request_duration: createHistogram({
          registry,
          histogram: {
            name: 'graphql_envelop_request_duration',
            help: 'GraphQL operation duration in seconds, by type and root fields.',
            labelNames: ['operationType', 'rootFields'],
          },
          fillLabelsFn: labels,
        }),
        graphql_yoga_http_duration: true,
        graphql_envelop_request_time_summary: false,
        graphql_envelop_phase_parse: false,
        graphql_envelop_phase_validate: false,
        graphql_envelop_phase_context: false,
        graphql_envelop_phase_execute: false,
        graphql_envelop_phase_subscribe: false,
        graphql_envelop_deprecated_field: false,
        graphql_envelop_schema_change: false,
      },
    }),
    useSubscriptionMetrics(metrics),
  ];
}

/**
 * Open SSE subscriptions and the events sent on them. Websocket subscriptions and
 * shared SSE streams are counted where their frames are written
 * (server/websocket.ts, server/event-streams.ts): subscribers that share a stream
 * there do not each run this plugin's per-event hook.
 */
function useSubscriptionMetrics(metrics: GatewayMetrics): Plugin {
  const transport: Transport = 'sse';
  return {
    onSubscribe() {
      return {
        onSubscribeResult({ args, result }) {
          if (!(Symbol.asyncIterator in (result as object))) return undefined; // refused: nothing opened
          // A stream its transport serves itself is counted there (a websocket, a shared SSE stream).
          if ((args.contextValue as { streamedBy?: unknown }).streamedBy) return undefined;
          metrics.subscriptions.inc({ transport });
          return {
            onNext: () => metrics.eventsDelivered.inc({ transport }),
            onEnd: releaseAtEndOrClose((args.contextValue as { res?: ServerResponse }).res, () =>
              metrics.subscriptions.dec({ transport }),
            ),
          };
        },
      };
    },
  };
}
