import { z } from 'zod';
import { markNotificationsReadInput, notificationsListInput } from '../../shared/people.ts';
import type { Deps } from '../deps.ts';
import { listen } from '../realtime/iterate.ts';
import { isUserEvent, listNotifications, markRead, unreadCount } from '../services/notifications.ts';
import { userChannel } from '../services/session-events.ts';
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
    .subscription(async ({ ctx, signal }) => userEvents(ctx.deps, ctx.user.id, signal)),
});

async function* userEvents(deps: Deps, userId: number, signal: AbortSignal | undefined) {
  const events = listen(deps.bus, userChannel(userId), signal, isUserEvent, { type: 'resync' as const });
  await events.ready;
  const count = await unreadCount(deps.orm.em.fork(), userId);
  yield { type: 'notifications.read' as const, unreadCount: count };
  yield* events;
}
