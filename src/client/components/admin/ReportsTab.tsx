import { createSignal, For } from 'solid-js';
import { reportStatuses } from '../../../shared/admin.ts';
import { adminProblem, createPagedList } from '../../lib/admin.ts';
import { useAuth } from '../../lib/auth.ts';
import { trpc } from '../../lib/trpc.ts';
import { PagedView } from './PagedView.tsx';
import { ReportCard } from './ReportCard.tsx';

type ReportStatus = (typeof reportStatuses)[number];
const statusLabels: Record<ReportStatus, string> = {
  open: 'Open',
  resolved: 'Resolved',
  dismissed: 'Dismissed',
};
const emptyText: Record<ReportStatus, string> = {
  open: 'No open reports. All quiet.',
  resolved: 'No report has been upheld yet.',
  dismissed: 'No report has been dismissed yet.',
};

/** The report queue: what people flagged, newest first, each with Dismiss and Delete message. */
export function ReportsTab() {
  const auth = useAuth();
  const [status, setStatus] = createSignal<ReportStatus>('open');
  const [done, setDone] = createSignal<string | null>(null);
  const reports = createPagedList(
    status,
    (status, cursor) => trpc.admin.reports.list.query({ status, cursor }),
    (error) => adminProblem(error, auth, 'The reports could not be loaded.'),
  );

  return (
    <section class="admin-panel" aria-labelledby="admin-reports-title">
      <div class="admin-panel-head">
        <h2 id="admin-reports-title" class="sr-only">
          Reports
        </h2>
        <div class="admin-toolbar">
          <div class="field-inline">
            <label class="field-label" for="admin-reports-status">
              Show
            </label>
            <select
              id="admin-reports-status"
              class="input"
              value={status()}
              onChange={(event) => {
                setDone(null);
                setStatus(event.currentTarget.value as ReportStatus);
              }}
            >
              <For each={reportStatuses}>
                {(value) => <option value={value}>{statusLabels[value]}</option>}
              </For>
            </select>
          </div>
          <button type="button" class="button" onClick={() => void reports.reload()}>
            Refresh
          </button>
        </div>
      </div>
      {/* Always in the page, so what it says when a report is resolved is announced. */}
      <p class="alert alert-success admin-done" role="status">
        {done()}
      </p>
      <PagedView list={reports} what="reports" empty={emptyText[status()]}>
        <ol class="reports" aria-label={`${statusLabels[status()]} reports`}>
          <For each={reports.items}>
            {(report) => (
              <ReportCard
                report={report}
                onResolved={(action) => {
                  // Resolving one report closes every open report on the same message.
                  reports.removeWhere((other) => other.message.id === report.message.id);
                  setDone(
                    action === 'delete'
                      ? `${report.message.sender.displayName}’s message was deleted.`
                      : 'Report dismissed.',
                  );
                }}
              />
            )}
          </For>
        </ol>
      </PagedView>
    </section>
  );
}
