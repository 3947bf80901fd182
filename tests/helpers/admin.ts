/**
 * Moderation helpers: making admins the way an operator does (straight in the database), reading the audit log and
 * the report queue as an admin sees them, and telling instances apart in `admin.stats`.
 */
import type { inferRouterOutputs } from '@trpc/server';
import type pg from 'pg';
import { RedisBus } from '../../src/server/realtime/redis-bus.ts';
import type { AppRouter } from '../../src/server/router.ts';
import { appRouter } from '../../src/server/router.ts';
import { makeAdmin } from './chat.ts';
import { type Client, type Person, signUp } from './people.ts';
import type { TestServer } from './server.ts';

type Admin = inferRouterOutputs<AppRouter>['admin'];
export type AuditEntry = Admin['audit']['list']['items'][number];
export type AdminUser = Admin['users']['list']['items'][number];
export type Report = Admin['reports']['list']['items'][number];
export type ReportStatus = Report['status'];
export type Stats = Admin['stats'];
export type InstanceStats = Stats['instances'][number];

/** Every procedure under `admin.`, as the router defines them: a new one cannot slip past the access tests. */
export function adminProcedurePaths(): string[] {
  return Object.keys(appRouter._def.procedures)
    .filter((path) => path.startsWith('admin.'))
    .sort();
}

/** Someone registers, and the operator makes them an admin. */
export async function signUpAdmin(server: TestServer, db: pg.Client): Promise<Person> {
  const admin = await signUp(server, { displayName: 'Moderator' });
  await makeAdmin(db, admin);
  return admin;
}

/** Makes these people the deployment's only admins: the last-admin rule counts every admin there is. */
export async function onlyAdmins(db: pg.Client, ...people: Person[]): Promise<void> {
  const ids = people.map((person) => person.id);
  await db.query(`update users set role = case when id = any($1::int[]) then 'admin' else 'user' end`, [ids]);
}

/** How many of these people the database holds as admins. */
export async function adminsAmong(db: pg.Client, ...people: Person[]): Promise<number> {
  const { rows } = await db.query<{ count: string }>(
    `select count(*) from users where role = 'admin' and id = any($1::int[])`,
    [people.map((person) => person.id)],
  );
  return Number(rows[0]?.count);
}

/** The whole audit log, newest first, read page by page as the admin screen does. */
export async function wholeAuditLog(admin: Client): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let cursor: string | null = null;
  do {
    const page: Admin['audit']['list'] = await admin.admin.audit.list.query({ cursor, limit: 100 });
    entries.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return entries;
}

/** What `actor` did, newest first, as an admin (by default the actor) reads it in the log. */
export async function auditBy(actor: Person, reader: Client = actor.client): Promise<AuditEntry[]> {
  return (await wholeAuditLog(reader)).filter((entry) => entry.actor?.id === actor.id);
}

/** The report with this id, if the admin's queue for `status` holds it (every page read). */
export async function reportIn(
  admin: Client,
  status: ReportStatus,
  reportId: number,
): Promise<Report | undefined> {
  let cursor: string | null = null;
  for (;;) {
    const page: Admin['reports']['list'] = await admin.admin.reports.list.query({ status, cursor });
    const found = page.items.find((report) => report.id === reportId);
    if (found || page.nextCursor === null) return found;
    cursor = page.nextCursor;
  }
}

/** A moment `ms` from now, to the whole second, as the ISO string the server echoes back. */
export function fromNow(ms: number): string {
  return new Date(Math.ceil((Date.now() + ms) / 1000) * 1000).toISOString();
}

export const hour = 60 * 60 * 1000;
export const day = 24 * hour;

/** The id an instance reports itself under in `admin.stats` (its Redis bus's id). */
export function instanceIdOf(server: TestServer): string {
  const { bus } = server.deps;
  if (!(bus instanceof RedisBus)) throw new Error('Only an instance on Redis shares its stats');
  return bus.instanceId;
}
