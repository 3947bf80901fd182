import { reactInput, reactorsInput } from '../../shared/reactions.ts';
import { react, reactors } from '../services/chat/reactions.ts';
import { protectedProcedure, publicProcedure } from '../trpc.ts';

/** `chat.react` and `chat.reactors`: emoji reactions, merged into the chat router. */
export const reactionProcedures = {
  /** Adds (`on: true`) or takes back your emoji; answers the message with its reactions as they are now. */
  react: protectedProcedure
    .input(reactInput)
    .mutation(({ ctx, input }) => react(ctx.deps, ctx.em, ctx.user, input)),

  /** Who reacted with an emoji, first reacted first, for names the client does not know yet; readers only. */
  reactors: publicProcedure
    .input(reactorsInput)
    .query(({ ctx, input }) => reactors(ctx.em, ctx.auth?.user.id ?? null, input)),
};
