/** `Subscription.chat`: MAVI's streamed answer about your videos, as typed events. */
import type { ChatEvent as ChatEventValue } from '../videos/chat.js';
import { MAX_CHAT_VIDEOS, MAX_MESSAGE_CHARS } from '../videos/chat.js';
import { builder } from './builder.js';

type Of<Kind extends ChatEventValue['kind']> = Extract<ChatEventValue, { kind: Kind }>;

const ChatThinking = builder.objectRef<Of<'thinking'>>('ChatThinking').implement({
  description: "A step of MAVI's reasoning, shown while it works (the successor family sends them).",
  fields: (t) => ({
    title: t.exposeString('title', { description: 'What MAVI is doing, in a few words.' }),
    content: t.exposeString('content', { description: 'The step in more words.' }),
  }),
});

const ChatReference = builder.objectRef<Of<'reference'>>('ChatReference').implement({
  description: 'A moment in one of the videos that the answer draws on (the successor family sends them).',
  fields: (t) => ({
    videoNo: t.exposeID('videoNo', { description: 'The video the moment is in.' }),
    startSeconds: t.exposeFloat('startSeconds', { description: 'Where the moment starts, in seconds.' }),
    endSeconds: t.float({
      nullable: true,
      description: 'Where it ends, when MAVI says.',
      resolve: (r) => r.endSeconds,
    }),
    caption: t.string({ nullable: true, description: 'What MAVI saw or heard there.', resolve: (r) => r.text }),
  }),
});

const ChatText = builder.objectRef<Of<'text'>>('ChatText').implement({
  description: 'The next piece of the answer: concatenate them in order.',
  fields: (t) => ({ text: t.exposeString('text', { description: 'The piece of text.' }) }),
});

const ChatDone = builder.objectRef<Of<'done'>>('ChatDone').implement({
  description: 'The answer is complete. Pass sessionId to the next chat to continue this conversation.',
  fields: (t) => ({
    sessionId: t.exposeID('sessionId', {
      description: 'This conversation, kept by the gateway for 24 hours and usable only with your key.',
    }),
  }),
});

const ChatEvent = builder.unionType('ChatEvent', {
  description: 'One event of a chat answer: thinking and references while MAVI works, text pieces, then done.',
  types: [ChatThinking, ChatReference, ChatText, ChatDone],
  resolveType: (event) =>
    ({ thinking: 'ChatThinking', reference: 'ChatReference', text: 'ChatText', done: 'ChatDone' })[event.kind],
});

builder.subscriptionField('chat', (t) =>
  t.field({
    type: ChatEvent,
    description: `Asks MAVI about your processed videos and streams the answer, piece by piece; completes after ChatDone. Leaving the subscription stops MAVI's answer at once. Spends MAVI credits: limited per client (RATE_LIMITED). Videos not yours are VIDEO_NOT_FOUND, videos not processed VIDEO_NOT_READY.`,
    args: {
      videoNos: t.arg.idList({ required: true, description: `The videos to ask about, 1 to ${MAX_CHAT_VIDEOS}.` }),
      message: t.arg.string({
        required: true,
        description: `The question (English), at most ${MAX_MESSAGE_CHARS} characters.`,
      }),
      sessionId: t.arg.id({
        description:
          "Continue a conversation: the sessionId of an earlier answer's ChatDone. A new conversation when absent.",
      }),
    },
    subscribe: (_root, args, context) =>
      context.chats.start(context.viewer, {
        videoNos: args.videoNos.map(String),
        message: args.message,
        sessionId: args.sessionId === null || args.sessionId === undefined ? undefined : String(args.sessionId),
      }),
    resolve: (event) => event,
  }),
);
