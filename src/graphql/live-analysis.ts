/** Live analyses: `startLiveAnalysis`, `stopLiveAnalysis`, and the `liveAnalysis` subscription of results. */
import type { Caller } from '../identity.js';
import {
  liveAnalysisNotFound,
  MAX_PROMPT_CHARS,
  type LiveAnalysisView,
  type LiveEvent,
  type LiveState,
  type StopReason,
} from '../live/live-analyses.js';
import { MAX_STREAM_URL_CHARS } from '../live/stream-url.js';
import { builder } from './builder.js';
import type { GatewayContext } from './context.js';

const LiveAnalysisState = builder.enumType('LiveAnalysisState', {
  description: 'Where a live analysis is.',
  values: {
    STARTING: { description: 'MAVI took the stream; no result has come yet.' },
    RUNNING: { description: 'Results are coming (about every 5 s).' },
    STOPPED: {
      description: "Stopped: by its owner, its owner erased, or its owner's access ended. Nothing more comes.",
    },
    FAILED: {
      description:
        'It went silent (no result for LIVE_SILENCE_TIMEOUT_MS: the stream ended, or MAVI stopped it, as it does when the credits run out). Nothing more comes.',
    },
  } satisfies Record<LiveState, unknown>,
});

const LiveStopReason = builder.enumType('LiveStopReason', {
  description: 'Why a live analysis ended.',
  values: {
    STOPPED_BY_OWNER: { description: 'stopLiveAnalysis.' },
    OWNER_ERASED: { description: 'Its owner was erased (eraseOwner).' },
    ACCESS_ENDED: {
      description:
        'The token it was started (or last followed) with expired, and no subscription with a later one followed it.',
    },
    SILENT: { description: 'No result came for LIVE_SILENCE_TIMEOUT_MS.' },
  } satisfies Record<StopReason, unknown>,
});

const LiveAnalysisEvent = builder.objectRef<LiveEvent>('LiveAnalysisEvent').implement({
  description:
    "One result of a live analysis, or its end (the last event, with `stopReason`). MAVI does not document its results' shape: `text` is there when the result has a text field, and `raw` is the whole result as MAVI sent it (docs/mavi-families.md).",
  fields: (t) => ({
    analysisId: t.exposeID('analysisId', { description: 'The live analysis.' }),
    state: t.field({
      type: LiveAnalysisState,
      description: 'RUNNING for a result; STOPPED or FAILED for the end.',
      resolve: (event) => event.state,
    }),
    text: t.string({
      nullable: true,
      description:
        "The result's text, when it has a text field (text, content, result, caption, answer or message; at the top or under data).",
      resolve: (event) => event.text,
    }),
    at: t.field({
      type: 'DateTime',
      description: 'When the gateway received it (or when the analysis ended).',
      resolve: (event) => event.at,
    }),
    raw: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The whole result, as MAVI sent it; null on the end event.',
      resolve: (event) => event.raw,
    }),
    stopReason: t.field({
      type: LiveStopReason,
      nullable: true,
      description: 'Why it ended, on the end event; null on a result.',
      resolve: (event) => event.stopReason,
    }),
  }),
});

const LiveAnalysis = builder.objectRef<LiveAnalysisView>('LiveAnalysis').implement({
  description:
    'MAVI watching an RTMP stream for you, with the prompt you gave. Follow its results with the `liveAnalysis` subscription. The successor MAVI family only (UNSUPPORTED_BY_MAVI on the original).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The analysis, for `liveAnalysis(id:)` and `stopLiveAnalysis(id:)`.' }),
    state: t.field({ type: LiveAnalysisState, description: 'Where it is.', resolve: (view) => view.state }),
    startedAt: t.field({ type: 'DateTime', description: 'When it started.', resolve: (view) => view.startedAt }),
    stoppedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it ended; null while it runs.',
      resolve: (view) => view.stoppedAt,
    }),
    stopReason: t.field({
      type: LiveStopReason,
      nullable: true,
      description: 'Why it ended; null while it runs.',
      resolve: (view) => view.stopReason,
    }),
  }),
});

/** When the caller's token expires (a signed-in user's); undefined for a key, which does not. */
function accessUntil(context: GatewayContext): number | undefined {
  return (context.viewer as Partial<Caller>).expiresAt;
}

builder.mutationField('startLiveAnalysis', (t) =>
  t.field({
    type: LiveAnalysis,
    nullable: true,
    description: `Has MAVI watch a live stream and report on it about every 5 s, by your prompt. MAVI runs at most 4 streams for the whole app, shared fairly: at most LIVE_STREAMS_PER_OWNER (default 1) each, LIVE_CAPACITY_FULL (HTTP 429, Retry-After) beyond. A stream started with a user's token stops when that token expires, unless a \`liveAnalysis\` subscription with a later token follows it.`,
    args: {
      streamUrl: t.arg.string({
        required: true,
        description: `An rtmp:// or rtmps:// URL of a public address, at most ${MAX_STREAM_URL_CHARS} characters (STREAM_URL_REFUSED otherwise).`,
      }),
      prompt: t.arg.string({
        required: true,
        description: `What to watch for, at most ${MAX_PROMPT_CHARS} characters.`,
      }),
      systemPrompt: t.arg.string({ description: `How to answer, at most ${MAX_PROMPT_CHARS} characters.` }),
    },
    resolve: (_root, args, context) =>
      context.live.start(
        context.viewer,
        { streamUrl: args.streamUrl, prompt: args.prompt, systemPrompt: args.systemPrompt ?? undefined },
        accessUntil(context),
      ),
  }),
);

builder.mutationField('stopLiveAnalysis', (t) =>
  t.field({
    type: LiveAnalysis,
    nullable: true,
    description:
      'Stops your live analysis at MAVI and gives its stream back. Stopping one that ended already changes nothing.',
    args: { id: t.arg.id({ required: true, description: 'The analysis.' }) },
    resolve: (_root, { id }, context) => context.live.stop(context.viewer, String(id)),
  }),
);

builder.subscriptionField('liveAnalysis', (t) =>
  t.field({
    type: LiveAnalysisEvent,
    description:
      "The latest result of your live analysis (when there is one), then each new one as MAVI sends it; the last event is its end (STOPPED or FAILED, with stopReason), and the subscription completes. An unknown analysis, or another owner's, fails with LIVE_ANALYSIS_NOT_FOUND.",
    args: { id: t.arg.id({ required: true, description: 'The analysis.' }) },
    subscribe: async (_root, { id }, context) => {
      const feed = await context.live.follow(context.viewer, String(id), accessUntil(context));
      if (!feed) throw liveAnalysisNotFound(String(id));
      return feed;
    },
    resolve: (event) => event,
  }),
);
