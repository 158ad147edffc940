/** `searchVideos` and `searchClips`: natural-language search over your own videos. */
import type { FoundClip, FoundVideo } from '../videos/video-library.js';
import { MAX_PAGE_SIZE, MAX_QUERY_CHARS, MAX_SEARCH_VIDEOS } from '../videos/video-library.js';
import { builder } from './builder.js';
import { Video } from './video.js';

const VideoMatch = builder.objectRef<FoundVideo>('VideoMatch').implement({
  description: 'A video that matches a search.',
  fields: (t) => ({
    video: t.field({ type: Video, description: 'The video that matches.', resolve: (match) => match.record }),
    score: t.float({
      nullable: true,
      description:
        'How well it matches, 0 to 1 (its best moment); null on the original MAVI family, which gives no scores.',
      resolve: (match) => match.score,
    }),
  }),
});

const Clip = builder.objectRef<FoundClip>('Clip').implement({
  description: 'A moment in a video that matches a search.',
  fields: (t) => ({
    video: t.field({ type: Video, description: 'The video the clip is in.', resolve: (clip) => clip.record }),
    startSeconds: t.float({
      description: 'Where the moment starts, in seconds from the start of the video.',
      resolve: (clip) => clip.startSeconds,
    }),
    endSeconds: t.float({ description: 'Where it ends, in seconds.', resolve: (clip) => clip.endSeconds }),
    score: t.float({
      nullable: true,
      description: 'How well it matches, 0 to 1; null on the original MAVI family, which gives no scores.',
      resolve: (clip) => clip.score,
    }),
  }),
});

builder.queryField('searchVideos', (t) =>
  t.field({
    type: [VideoMatch],
    nullable: true,
    description: `Your processed videos that match a natural-language query (English), best first. Spends MAVI credits: limited per client (RATE_LIMITED).`,
    args: {
      query: t.arg.string({ required: true, description: `What to look for, at most ${MAX_QUERY_CHARS} characters.` }),
      first: t.arg.int({ defaultValue: 10, description: `The most videos to answer, 1 to ${MAX_PAGE_SIZE}.` }),
    },
    resolve: (_root, args, context) =>
      context.library.searchVideos(context.viewer, args.query, args.first ?? 10, context.signal),
  }),
);

builder.queryField('searchClips', (t) =>
  t.field({
    type: [Clip],
    nullable: true,
    description:
      'Moments in your processed videos that match a natural-language query (English), best first. Spends MAVI credits: limited per client (RATE_LIMITED).',
    args: {
      query: t.arg.string({ required: true, description: `What to look for, at most ${MAX_QUERY_CHARS} characters.` }),
      videoNos: t.arg.idList({
        description: `Search only these videos (at most ${MAX_SEARCH_VIDEOS}); all of yours when absent or empty. One that is not yours is VIDEO_NOT_FOUND.`,
      }),
      first: t.arg.int({ defaultValue: 10, description: `The most clips to answer, 1 to ${MAX_PAGE_SIZE}.` }),
      minScore: t.arg.float({
        description:
          'Only clips scoring at least this (0 to 1). The original MAVI family gives no scores: INVALID_INPUT there.',
      }),
    },
    resolve: (_root, args, context) =>
      context.library.searchClips(context.viewer, {
        query: args.query,
        videoNos: (args.videoNos ?? []).map(String),
        first: args.first ?? 10,
        minScore: args.minScore ?? undefined,
        signal: context.signal,
      }),
  }),
);
