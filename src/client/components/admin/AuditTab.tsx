import { For, Show } from 'solid-js';
import { type AuditEntry, adminProblem, auditAction, createPagedList } from '../../lib/admin.ts';
import { useAuth } from '../../lib/auth.ts';
import { trpc } from '../../lib/trpc.ts';
import { RelativeTime } from '../RelativeTime.tsx';
import { PagedView, TableScroll } from './PagedView.tsx';

/** "Ada Lovelace @ada", or what stands in for a person the log does not name. */
function Who(props: { user: AuditEntry['actor']; none: string }) {
  return (
    <Show when={props.user} fallback={<span class="muted">{props.none}</span>}>
      {(user) => (
        <span class="person-names">
          <span class="person-name">{user().displayName}</span>
          <span class="person-handle">@{user().username}</span>
        </span>
      )}
    </Show>
  );
}

/** The words a removed message had: the audit log is the one place they are kept. */
const keptBody = (entry: AuditEntry) =>
  entry.action === 'message.delete' && typeof entry.details.body === 'string' ? entry.details.body : null;

/** Every moderator's act, newest first: who did what to whom, when and why. */
export function AuditTab() {
  const auth = useAuth();
  const log = createPagedList(
    () => null,
    (_, cursor) => trpc.admin.audit.list.query({ cursor }),
    (error) => adminProblem(error, auth, 'The audit log could not be loaded.'),
  );

  return (
    <section class="admin-panel" aria-labelledby="admin-audit-title">
      <div class="admin-panel-head">
        <h2 id="admin-audit-title" class="sr-only">
          Audit log
        </h2>
        <button type="button" class="button" onClick={() => void log.reload()}>
          Refresh
        </button>
      </div>
      <PagedView list={log} what="entries" empty="Nothing has been moderated yet.">
        <TableScroll labelledBy="admin-audit-caption">
          <table class="admin-table admin-audit">
            <caption id="admin-audit-caption">What moderators did, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Subject</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              <For each={log.items}>
                {(entry) => (
                  <tr>
                    <td>
                      <RelativeTime iso={entry.createdAt} />
                    </td>
                    <td>
                      <Who user={entry.actor} none="Command line" />
                    </td>
                    <th scope="row" class="admin-audit-action">
                      {auditAction(entry)}
                      <Show when={keptBody(entry)}>
                        {(body) => (
                          <blockquote class="admin-kept" aria-label="The deleted message">
                            {body()}
                          </blockquote>
                        )}
                      </Show>
                    </th>
                    <td>
                      <Who
                        user={entry.target}
                        none={entry.targetMessageId ? `Message #${entry.targetMessageId}` : '—'}
                      />
                    </td>
                    <td class="admin-reason">
                      <Show when={entry.reason} fallback={<span class="muted">—</span>}>
                        {entry.reason}
                      </Show>
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </TableScroll>
      </PagedView>
    </section>
  );
}
