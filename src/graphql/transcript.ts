/** `transcript` and `transcriptReady`: what is said (SPEECH) or seen (VISUAL) in your video, in timed segments. */
import type { TranscriptSegment } from '../mavi/api.js';
import type { Transcript as TranscriptValue } from '../videos/transcripts.js';
import { builder } from './builder.js';

const TranscriptKind = builder.enumType('TranscriptKind', {
  description: 'Which transcript.',
  values: {
    SPEECH: { description: 'What is said (needs an audio track).' },
    VISUAL: { description: 'What is seen: scene descriptions.' },
  },
});

const TranscriptState = builder.enumType('TranscriptState', {
  description: 'Whether a transcript can be read yet.',
  values: {
    READY: { description: 'Final: the segments are complete.' },
    PENDING: {
      description:
        'Being made (the video is still processing, or MAVI is transcribing). Subscribe to transcriptReady to be told, or ask again later.',
    },
    UNAVAILABLE: {
      description:
        'MAVI has none: the video failed, has no audio track (SPEECH), or MAVI did not produce one. Asking again later may find one.',
    },
  },
});

const Segment = builder.objectRef<TranscriptSegment>('TranscriptSegment').implement({
  description: 'A stretch of the video and what was said or seen in it.',
  fields: (t) => ({
    startSeconds: t.exposeFloat('startSeconds', { description: 'Start, in seconds from the start of the video.' }),
    endSeconds: t.exposeFloat('endSeconds', { description: 'End, in seconds.' }),
    text: t.exposeString('text', { description: 'What was said (SPEECH) or seen (VISUAL) in it.' }),
  }),
});

const Transcript = builder.objectRef<TranscriptValue>('Transcript').implement({
  description: "A video's transcript of one kind, as it stands.",
  fields: (t) => ({
    videoNo: t.exposeID('videoNo', { description: 'The video transcribed.' }),
    kind: t.field({
      type: TranscriptKind,
      description: 'What is transcribed.',
      resolve: (transcript) => transcript.kind,
    }),
    state: t.field({
      type: TranscriptState,
      description: 'Whether it is ready; its segments come once it is READY.',
      resolve: (transcript) => transcript.state,
    }),
    segments: t.field({
      type: [Segment],
      description: 'In time order; empty unless the state is READY.',
      resolve: (transcript) => transcript.segments,
    }),
  }),
});

const transcriptArgs = builder.args((t) => ({
  videoNo: t.id({ required: true, description: 'A video of yours.' }),
  kind: t.field({
    type: TranscriptKind,
    required: true,
    description: 'SPEECH (what is said) or VISUAL (what is seen).',
  }),
}));

builder.queryField('transcript', (t) =>
  t.field({
    type: Transcript,
    nullable: true,
    description:
      'The transcript of a video you uploaded; null when no such video is known to you. Not ready yet is a state (PENDING), not an error; the first request starts it where MAVI makes transcripts on demand. Spends MAVI credits: limited per client (RATE_LIMITED).',
    args: transcriptArgs,
    resolve: (_root, { videoNo, kind }, context) =>
      context.transcripts.get(context.viewer, String(videoNo), kind, context.signal),
  }),
);

builder.subscriptionField('transcriptReady', (t) =>
  t.field({
    type: Transcript,
    description:
      'Waits for a transcript without polling: one event once it is READY (or UNAVAILABLE), then completes. Starts it when needed, like `transcript`.',
    args: transcriptArgs,
    subscribe: (_root, { videoNo, kind }, context) =>
      context.transcripts.waitFor(context.viewer, String(videoNo), kind),
    resolve: (transcript) => transcript,
  }),
);
