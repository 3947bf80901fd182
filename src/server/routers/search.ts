import { messageSearchInput } from '../../shared/search.ts';
import { tooManyRequests } from '../errors.ts';
import { searchMessages } from '../services/chat/search.ts';
import { protectedProcedure, router } from '../trpc.ts';

export const searchRouter = router({
  /**
   * Full-text search over the messages the caller can read, best match first, each with a plain-text snippet and
   * where its words matched. Limited per person: every search reads the index.
   */
  messages: protectedProcedure.input(messageSearchInput).query(async ({ ctx, input }) => {
    const { limiter, config } = ctx.deps;
    const decision = await limiter.hit(`search:${ctx.user.id}`, config.limits.searchesPerMinute, 60_000);
    if (!decision.allowed) throw tooManyRequests(decision.retryAfterSeconds);
    return searchMessages(ctx.em, ctx.user.id, input);
  }),
});
