import { createSignal, Index, onCleanup, onMount, Show } from 'solid-js';
import { adminProblem, type Stats } from '../../lib/admin.ts';
import { useAuth } from '../../lib/auth.ts';
import { trpc } from '../../lib/trpc.ts';
import { TableScroll } from './PagedView.tsx';

/**
 * Polled rather than pushed: these are samples (memory, event-loop lag, socket counts) with no event behind them
 * to subscribe to, and each instance itself only takes one every 5 seconds. Asking at that pace, and only while
 * this tab is open and the window visible, shows them as fresh as they are for one small query, with no timer
 * on the server per watching admin.
 */
const everyMs = 5_000;
/** Event-loop lag above this is worth a second look. */
const slowLagMs = 100;

const megabytes = (bytes: number) => Math.round(bytes / (1024 * 1024)).toLocaleString();

/** Live numbers: people, messages and reports, and each server instance's load. */
export function StatsTab() {
  const auth = useAuth();
  const [stats, setStats] = createSignal<Stats>();
  const [updatedAt, setUpdatedAt] = createSignal<string | null>(null);
  const [problem, setProblem] = createSignal<string | null>(null);
  let timer: ReturnType<typeof setInterval> | undefined;
  let asking = false;

  const refresh = async () => {
    if (asking) return;
    asking = true;
    try {
      setStats(await trpc.admin.stats.query());
      setUpdatedAt(new Date().toISOString());
      setProblem(null);
    } catch (error) {
      setProblem(adminProblem(error, auth, 'The numbers could not be loaded.'));
    } finally {
      asking = false;
    }
  };
  const stop = () => clearInterval(timer);
  const follow = () => {
    stop();
    if (document.visibilityState !== 'visible') return;
    void refresh();
    timer = setInterval(() => void refresh(), everyMs);
  };
  onMount(() => {
    follow();
    document.addEventListener('visibilitychange', follow);
  });
  onCleanup(() => {
    stop();
    document.removeEventListener('visibilitychange', follow);
  });

  const cards = (current: Stats) => [
    { label: 'Users', value: current.users },
    { label: 'Messages today', value: current.messagesToday },
    { label: 'Open reports', value: current.openReports },
    { label: 'Connected now', value: current.connectedPeople },
  ];

  return (
    <section class="admin-panel" aria-labelledby="admin-stats-title">
      <div class="admin-panel-head">
        <h2 id="admin-stats-title" class="sr-only">
          Stats
        </h2>
        <p class="admin-live muted">
          <span class="admin-live-dot" aria-hidden="true" />
          Live, every 5 seconds
          <Show when={updatedAt()}>{(at) => <> · updated {new Date(at()).toLocaleTimeString()}</>}</Show>
        </p>
      </div>
      <Show when={problem()}>
        <p class="alert alert-error" role="alert">
          {problem()}
        </p>
      </Show>
      <Show
        when={stats()}
        fallback={
          <Show when={!problem()}>
            <p class="admin-loading" role="status">
              <span class="spinner" aria-hidden="true" />
              Loading the numbers…
            </p>
          </Show>
        }
      >
        {(current) => (
          <>
            <dl class="stat-cards">
              <Index each={cards(current())}>
                {(card) => (
                  <div class="stat-card">
                    <dt>{card().label}</dt>
                    <dd>{card().value.toLocaleString()}</dd>
                  </div>
                )}
              </Index>
            </dl>
            <TableScroll labelledBy="admin-instances-caption">
              <table class="admin-table">
                <caption id="admin-instances-caption">Server instances</caption>
                <thead>
                  <tr>
                    <th scope="col">Instance</th>
                    <th scope="col" class="admin-number">
                      Sockets
                    </th>
                    <th scope="col" class="admin-number">
                      People
                    </th>
                    <th scope="col" class="admin-number">
                      Memory (MB)
                    </th>
                    <th
                      scope="col"
                      class="admin-number"
                      title="How late the server ran its timers over the last 5 to 10 seconds (99th percentile)"
                    >
                      Event-loop lag (ms)
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {/* By position: each poll brings new objects, and the rows should update, not be rebuilt. */}
                  <Index each={current().instances}>
                    {(instance) => (
                      <tr>
                        <th scope="row" class="admin-instance">
                          {instance().instanceId}
                        </th>
                        <td class="admin-number">{instance().sockets.toLocaleString()}</td>
                        <td class="admin-number">{instance().people.toLocaleString()}</td>
                        <td class="admin-number">{megabytes(instance().rssBytes)}</td>
                        <td
                          class="admin-number"
                          classList={{ 'admin-slow': instance().eventLoopLagMs > slowLagMs }}
                        >
                          {instance().eventLoopLagMs.toLocaleString()}
                        </td>
                      </tr>
                    )}
                  </Index>
                </tbody>
              </table>
            </TableScroll>
          </>
        )}
      </Show>
    </section>
  );
}
