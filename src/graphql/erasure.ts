/** `eraseOwner` and `erasure`: erasing a user's (or a client key's) videos, for the app's service key. */
import type { ErasureRecord } from '../videos/erasures.js';
import { builder } from './builder.js';
import { OwnerInput, ownerOf, OwnerType, requireService } from './video.js';

const ErasureState = builder.enumType('ErasureState', {
  description: 'Where an erasure is.',
  values: {
    RUNNING: { description: 'Deleting: it goes on across restarts.' },
    DONE: { description: 'Every video of the owner is deleted, at MAVI and here.' },
    FAILED: { description: 'MAVI kept refusing to delete some videos (`refusedVideoNos`); the others are deleted.' },
  } as const,
});

const Erasure = builder.objectRef<ErasureRecord>('Erasure').implement({
  description: "The erasure of one owner's videos (account deletion).",
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Ask for it again with `erasure(id:)`.' }),
    state: t.field({ type: ErasureState, description: 'Where it is.', resolve: (job) => job.state }),
    videosDeleted: t.int({ description: 'Videos deleted so far.', resolve: (job) => job.deleted.length }),
    deletedVideoNos: t.idList({ description: 'The videos deleted so far.', resolve: (job) => job.deleted }),
    stagedUploadsDeleted: t.int({
      description: "The owner's resumable uploads removed before they reached MAVI (bytes and records).",
      resolve: (job) => job.stagedUploadsDeleted ?? 0,
    }),
    chatSessionsDeleted: t.int({
      description: "The owner's chat sessions forgotten (once the job ends).",
      resolve: (job) => job.chatSessionsDeleted ?? 0,
    }),
    refusedVideoNos: t.idList({
      description: 'Videos MAVI refused to delete so far (tried again while RUNNING).',
      resolve: (job) => Object.keys(job.refused),
    }),
    owner: t.field({
      type: OwnerType,
      nullable: true,
      description: 'Whose videos.',
      resolve: (job) => job.owner.names ?? null,
    }),
  }),
});

builder.mutationField('eraseOwner', (t) =>
  t.field({
    type: Erasure,
    nullable: true,
    description:
      "For the app's service key: deletes every video of this owner (a user, or a client key), at MAVI and in the gateway, with its transcript records, ending their live subscriptions; and the owner's staged resumable uploads and chat sessions. A durable job: it survives restarts, and asking again while it runs answers the same job. It ends with an owner.erased webhook.",
    args: { owner: t.arg({ type: OwnerInput, required: true, description: 'Whose videos.' }) },
    resolve: (_root, { owner }, context) => {
      requireService(context, 'erases owners');
      return context.erasures.begin(ownerOf(context, owner));
    },
  }),
);

builder.queryField('erasure', (t) =>
  t.field({
    type: Erasure,
    nullable: true,
    description: "For the app's service key: an erasure's progress; null for an unknown id.",
    args: { id: t.arg.id({ required: true, description: 'An `Erasure.id`.' }) },
    resolve: async (_root, { id }, context) => {
      requireService(context, 'erases owners');
      return (await context.erasures.get(String(id))) ?? null;
    },
  }),
);
