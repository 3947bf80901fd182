import { type EntityManager, LockMode, sql } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import { Report } from '../db/entities/index.ts';
import type { Deps } from '../deps.ts';
import { type ReportView, reportViewOf, shownReportFields } from '../views/moderation.ts';
import { audit } from './audit.ts';
import { messagesByIds } from './chat/messages.ts';
import { remove } from './chat/post.ts';
import { authorizeRead } from './chat/rooms.ts';
import type { Actor } from './users.ts';

const messageNotFound = () => new TRPCError({ code: 'NOT_FOUND', message: 'That message does not exist.' });

/** Anyone who can read a message can report it, once. */
export async function reportMessage(
  em: EntityManager,
  reporterId: number,
  messageId: string,
  reason: string,
) {
  const [message] = await messagesByIds(em, [messageId]);
  if (!message || message.deletedAt) throw messageNotFound();
  await authorizeRead(em, message.roomId, reporterId);
  if (message.sender.id === reporterId) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: 'You cannot report your own message; delete it instead.',
    });
  }
  // One statement decides, even under concurrent reports: the unique pair either takes this row or keeps the first.
  const inserted = await em
    .createQueryBuilder(Report)
    .insert({ messageId, reporter: reporterId, reason })
    .onConflict(['messageId', 'reporter'])
    .ignore()
    .execute('run');
  if (inserted.affectedRows === 0) {
    throw new TRPCError({ code: 'CONFLICT', message: 'You already reported this message.' });
  }
  return { id: inserted.insertId };
}

const reportsPerPage = 50;

export async function listReports(
  em: EntityManager,
  status: Report['status'],
  cursor: number | null,
): Promise<{ items: ReportView[]; nextCursor: string | null }> {
  const reports = await em.find(Report, cursor ? { status, id: { $lt: cursor } } : { status }, {
    populate: ['reporter'],
    fields: shownReportFields,
    orderBy: { id: 'desc' },
    limit: reportsPerPage + 1,
  });
  const page = reports.slice(0, reportsPerPage);
  const messages = new Map(
    (await messagesByIds(em, [...new Set(page.map((report) => report.messageId))])).map((message) => [
      message.id,
      message,
    ]),
  );
  const items = page.flatMap((report) => {
    const message = messages.get(report.messageId);
    // A report's message cannot vanish while it stands (its row cascades), so this skips nothing in practice.
    return message ? [reportViewOf(report, message)] : [];
  });
  const last = items.at(-1);
  return { items, nextCursor: reports.length > reportsPerPage && last ? String(last.id) : null };
}

type Resolution = 'dismiss' | 'delete';

/**
 * Claims an open report and closes every open report on its message, in the caller's transaction. Null when the
 * report is not open (any more): the row lock makes a second moderator wait, then find it closed.
 */
async function claimReport(tx: EntityManager, admin: Actor, reportId: number, action: Resolution) {
  const report = await tx.findOne(
    Report,
    { id: reportId, status: 'open' },
    { fields: ['messageId', 'reason'], lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  if (!report) return null;
  await tx.nativeUpdate(
    Report,
    { messageId: report.messageId, status: 'open' },
    {
      status: action === 'delete' ? 'resolved' : 'dismissed',
      action,
      resolvedBy: admin.id,
      resolvedAt: sql.now(),
    },
  );
  return { messageId: report.messageId, reason: report.reason };
}

/** Why a report could not be claimed: it does not exist, or someone already closed it. */
async function unclaimable(em: EntityManager, reportId: number): Promise<TRPCError> {
  const report = await em.findOne(Report, reportId, { fields: ['status'] });
  if (!report) return new TRPCError({ code: 'NOT_FOUND', message: 'That report does not exist.' });
  return new TRPCError({ code: 'CONFLICT', message: `That report was already ${report.status}.` });
}

/**
 * Dismisses a report, or deletes its message as a moderator; either way every open report on it is closed. The
 * report is claimed first (locked, then closed), so two moderators cannot both resolve it.
 */
export async function resolveReport(
  deps: Deps,
  em: EntityManager,
  admin: Actor & { role: string },
  reportId: number,
  action: Resolution,
) {
  const claimed = await em.transactional(async (tx) => {
    const report = await claimReport(tx, admin, reportId, action);
    if (report) {
      await audit(tx, {
        actorId: admin.id,
        action: 'report.resolve',
        targetMessageId: report.messageId,
        reason: report.reason,
        details: { reportId, action },
      });
    }
    return report;
  });
  if (!claimed) throw await unclaimable(em, reportId);
  if (action === 'delete') {
    const [message] = await messagesByIds(em, [claimed.messageId]);
    if (message && !message.deletedAt) {
      await remove(deps, em, admin, claimed.messageId, {
        asModerator: true,
        reason: `Report: ${claimed.reason}`,
      });
    }
  }
  return { ok: true as const };
}
