import { createSignal, Show } from 'solid-js';
import { adminProblem, type Report } from '../../lib/admin.ts';
import { useAuth } from '../../lib/auth.ts';
import { trpc } from '../../lib/trpc.ts';
import { Avatar } from '../Avatar.tsx';
import { ConfirmButton } from '../ConfirmButton.tsx';
import { MarkdownBody } from '../chat/MarkdownBody.tsx';
import { RelativeTime } from '../RelativeTime.tsx';

/** One report: who flagged which message and why, the message as it reads, and what to do about it. */
export function ReportCard(props: { report: Report; onResolved: (action: 'dismiss' | 'delete') => void }) {
  const auth = useAuth();
  const [busy, setBusy] = createSignal<'dismiss' | 'delete' | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const message = () => props.report.message;
  const titleId = () => `report-${props.report.id}`;

  const resolve = async (action: 'dismiss' | 'delete') => {
    setBusy(action);
    setError(null);
    try {
      await trpc.admin.reports.resolve.mutate({ reportId: props.report.id, action });
      props.onResolved(action);
    } catch (cause) {
      setError(adminProblem(cause, auth, 'The report could not be resolved.'));
      setBusy(null);
    }
  };

  return (
    <li class="report">
      <article aria-labelledby={titleId()}>
        <header class="report-head">
          <h3 id={titleId()} class="report-title">
            Reported by {props.report.reporter.displayName}{' '}
            <span class="muted">@{props.report.reporter.username}</span>
          </h3>
          <RelativeTime iso={props.report.createdAt} class="report-time" />
        </header>
        <p class="report-reason">
          <span class="report-label">Reason</span> {props.report.reason}
        </p>
        <blockquote class="report-message">
          <p class="report-message-meta">
            <Avatar
              name={message().sender.displayName}
              username={message().sender.username}
              url={message().sender.avatarUrl}
            />
            <span class="message-author">{message().sender.displayName}</span>
            <span class="muted">@{message().sender.username}</span>
            <RelativeTime iso={message().createdAt} class="message-time" />
          </p>
          <Show
            when={!message().deletedAt}
            fallback={
              <p class="message-deleted">
                {message().deletedBy === 'moderator'
                  ? 'This message was removed by a moderator'
                  : 'This message was deleted by its sender'}
              </p>
            }
          >
            <MarkdownBody text={message().body} />
          </Show>
        </blockquote>
        <Show
          when={props.report.status === 'open'}
          fallback={
            <p class="muted report-outcome">
              {props.report.status === 'resolved' ? 'Upheld, message deleted' : 'Dismissed'}
              <Show when={props.report.resolvedAt}>
                {(at) => (
                  <>
                    {' '}
                    <RelativeTime iso={at()} />
                  </>
                )}
              </Show>
            </p>
          }
        >
          <div class="report-actions">
            <button
              type="button"
              class="button button-small"
              disabled={busy() !== null}
              aria-busy={busy() === 'dismiss'}
              onClick={() => void resolve('dismiss')}
            >
              <Show when={busy() === 'dismiss'}>
                <span class="spinner" aria-hidden="true" />
              </Show>
              Dismiss
            </button>
            <Show when={!message().deletedAt}>
              <ConfirmButton
                small
                label="Delete message"
                question={`Delete ${message().sender.displayName}’s message for everyone?`}
                confirmLabel="Delete"
                pending={busy() === 'delete'}
                disabled={busy() !== null}
                onConfirm={() => void resolve('delete')}
              />
            </Show>
          </div>
          <Show when={error()}>
            <p class="alert alert-error" role="alert">
              {error()}
            </p>
          </Show>
        </Show>
      </article>
    </li>
  );
}
