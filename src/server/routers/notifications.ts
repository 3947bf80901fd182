import { z } from 'zod';
import { markNotificationsReadInput, notificationsListInput } from '../../shared/people.ts';
import { socketTarget } from '../realtime/live-target.ts';
import { listNotifications, markRead, unreadCount, userEventStream } from '../services/notifications.ts';
import { protectedProcedure, router } from '../trpc.ts';

export const notificationsRouter = router({
  list: protectedProcedure
    .input(notificationsListInput)
    .query(({ ctx, input }) =>
      listNotifications(ctx.em, ctx.user.id, input?.cursor ?? null, input?.limit ?? 20),
    ),

  unreadCount: protectedProcedure.query(async ({ ctx }) => ({
    count: await unreadCount(ctx.em, ctx.user.id),
  })),

  markRead: protectedProcedure
    .input(markNotificationsReadInput)
    .mutation(({ ctx, input }) => markRead(ctx.deps, ctx.em, ctx.user.id, input)),

  /**
   * Live: new notifications (with the unread count), reads from other tabs, and friend-list changes. It starts
   * with the current unread count, so a tab that (re)connects agrees with the server at once; `resync` says the
   * instance may have missed some since.
   */
  onEvent: protectedProcedure
    .input(z.void())
    .subscription(async ({ ctx, signal }) =>
      userEventStream(ctx.deps, ctx.user.id, signal, socketTarget(signal)),
    ),
});
