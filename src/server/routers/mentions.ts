import { mentionCandidatesInput } from '../../shared/mentions.ts';
import { candidates } from '../services/chat/mentions.ts';
import { protectedProcedure } from '../trpc.ts';

/** `chat.mentionCandidates`: whom the composer offers after an `@`, merged into the chat router. */
export const mentionProcedures = {
  /** People who can read the room whose username or display name starts with `query`; friends, recent speakers first. */
  mentionCandidates: protectedProcedure
    .input(mentionCandidatesInput)
    .query(({ ctx, input }) => candidates(ctx.em, ctx.user.id, input)),
};
