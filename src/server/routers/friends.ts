import { blockInput, friendsListInput, requestIdInput, sendRequestInput } from '../../shared/people.ts';
import * as friends from '../services/friends.ts';
import { withOnline } from '../services/presence.ts';
import { protectedProcedure, router } from '../trpc.ts';

export const friendsRouter = router({
  sendRequest: protectedProcedure
    .input(sendRequestInput)
    .mutation(({ ctx, input }) => friends.sendRequest(ctx.deps, ctx.em, ctx.user, input.userId)),
  cancelRequest: protectedProcedure
    .input(requestIdInput)
    .mutation(({ ctx, input }) => friends.cancelRequest(ctx.deps, ctx.em, ctx.user, input.requestId)),
  accept: protectedProcedure
    .input(requestIdInput)
    .mutation(({ ctx, input }) => friends.acceptRequest(ctx.deps, ctx.em, ctx.user, input.requestId)),
  decline: protectedProcedure
    .input(requestIdInput)
    .mutation(({ ctx, input }) => friends.declineRequest(ctx.deps, ctx.em, ctx.user, input.requestId)),
  remove: protectedProcedure
    .input(blockInput)
    .mutation(({ ctx, input }) => friends.removeFriend(ctx.deps, ctx.em, ctx.user, input.userId)),
  list: protectedProcedure.input(friendsListInput).query(async ({ ctx, input }) => {
    const { items } = await friends.listFriends(ctx.em, ctx.user.id, input?.userId);
    return { items: await withOnline(ctx.deps, items) };
  }),
  requests: protectedProcedure.query(({ ctx }) => friends.pendingRequests(ctx.em, ctx.user.id)),
  block: protectedProcedure
    .input(blockInput)
    .mutation(({ ctx, input }) => friends.block(ctx.deps, ctx.em, ctx.user, input.userId)),
  unblock: protectedProcedure
    .input(blockInput)
    .mutation(({ ctx, input }) => friends.unblock(ctx.deps, ctx.em, ctx.user, input.userId)),
  blocked: protectedProcedure.query(({ ctx }) => friends.blockedUsers(ctx.em, ctx.user.id)),
});
