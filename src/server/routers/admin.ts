import {
  adminDeleteMessageInput,
  adminUsersListInput,
  auditListInput,
  banInput,
  muteInput,
  reportsListInput,
  resolveReportInput,
  setRoleInput,
  userOnlyInput,
} from '../../shared/admin.ts';
import { Report, User } from '../db/entities/index.ts';
import { listAudit } from '../services/audit.ts';
import { remove } from '../services/chat/post.ts';
import * as moderation from '../services/moderation.ts';
import { sendPasswordResetAsAdmin } from '../services/password-reset.ts';
import { listReports, resolveReport } from '../services/reports.ts';
import { adminProcedure, router } from '../trpc.ts';

const usersRouter = router({
  list: adminProcedure
    .input(adminUsersListInput)
    .query(({ ctx, input }) => moderation.listUsers(ctx.em, input)),
  ban: adminProcedure
    .input(banInput)
    .mutation(({ ctx, input }) => moderation.ban(ctx.deps, ctx.em, ctx.user.id, input)),
  unban: adminProcedure
    .input(userOnlyInput)
    .mutation(({ ctx, input }) => moderation.unban(ctx.deps, ctx.em, ctx.user.id, input.userId)),
  mute: adminProcedure
    .input(muteInput)
    .mutation(({ ctx, input }) => moderation.mute(ctx.deps, ctx.em, ctx.user.id, input)),
  unmute: adminProcedure
    .input(userOnlyInput)
    .mutation(({ ctx, input }) => moderation.unmute(ctx.deps, ctx.em, ctx.user.id, input.userId)),
  setRole: adminProcedure
    .input(setRoleInput)
    .mutation(({ ctx, input }) =>
      moderation.setRole(ctx.deps, ctx.em, ctx.user.id, input.userId, input.role),
    ),
  /** Mails the person a reset link (audited); answers with the address it went to. */
  sendPasswordReset: adminProcedure
    .input(userOnlyInput)
    .mutation(({ ctx, input }) => sendPasswordResetAsAdmin(ctx.deps, ctx.em, ctx.user.id, input.userId)),
});

const messagesRouter = router({
  /** Removes a message for everyone, live; its words are kept only in the audit log. */
  delete: adminProcedure
    .input(adminDeleteMessageInput)
    .mutation(({ ctx, input }) =>
      remove(ctx.deps, ctx.em, ctx.user, input.messageId, { asModerator: true, reason: input.reason }),
    ),
});

const reportsRouter = router({
  list: adminProcedure
    .input(reportsListInput)
    .query(({ ctx, input }) =>
      listReports(ctx.em, input?.status ?? 'open', input?.cursor ? Number(input.cursor) : null),
    ),
  resolve: adminProcedure
    .input(resolveReportInput)
    .mutation(({ ctx, input }) => resolveReport(ctx.deps, ctx.em, ctx.user, input.reportId, input.action)),
});

const auditRouter = router({
  list: adminProcedure
    .input(auditListInput)
    .query(({ ctx, input }) => listAudit(ctx.em, input?.cursor ?? null, input?.limit ?? 50)),
});

export const adminRouter = router({
  users: usersRouter,
  messages: messagesRouter,
  reports: reportsRouter,
  audit: auditRouter,

  /** Users, today's messages, and each live instance's sockets, people, memory and event-loop lag. */
  stats: adminProcedure.query(async ({ ctx }) => {
    // Side by side, on two connections: as quick as the one statement with two subqueries it replaces.
    const [users, openReports] = await Promise.all([
      ctx.em.count(User),
      ctx.em.count(Report, { status: 'open' }),
    ]);
    return {
      users,
      openReports,
      messagesToday: await moderation.messagesToday(ctx.em),
      connectedPeople: await ctx.deps.presence.count(),
      instances: await ctx.deps.instanceStats.all(),
    };
  }),
});
