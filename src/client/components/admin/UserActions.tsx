import { createSignal, type JSX, Show } from 'solid-js';
import { type AdminUser, adminProblem } from '../../lib/admin.ts';
import { useAuth } from '../../lib/auth.ts';
import { trpc } from '../../lib/trpc.ts';
import { ConfirmButton } from '../ConfirmButton.tsx';
import { BanDialog, MuteDialog } from './UserDialogs.tsx';

/**
 * What an admin can do about one person: Ban / Unban, Mute / Unmute (not on yourself), Make admin / Remove admin,
 * and mail them a password-reset link.
 * The row changes as soon as the server agrees; a refusal (the last admin, say) shows in an alert under the
 * buttons.
 */
export function UserActions(props: {
  user: AdminUser;
  self: boolean;
  onChange: (change: Partial<AdminUser>) => void;
}) {
  const auth = useAuth();
  const [busy, setBusy] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [done, setDone] = createSignal<string | null>(null);
  const [asking, setAsking] = createSignal<'ban' | 'mute' | null>(null);
  let actions: HTMLDivElement | undefined;
  const name = () => props.user.displayName;
  const muted = () => Boolean(props.user.mutedUntil);
  const banned = () => Boolean(props.user.bannedUntil);

  const run = async (action: string, call: () => Promise<unknown>, change: Partial<AdminUser>) => {
    setBusy(action);
    setError(null);
    setDone(null);
    try {
      await call();
      props.onChange(change);
    } catch (cause) {
      setError(adminProblem(cause, auth, 'That did not work. Please try again.'));
    } finally {
      setBusy(null);
    }
  };
  const userId = () => props.user.id;
  const unban = () =>
    run('unban', () => trpc.admin.users.unban.mutate({ userId: userId() }), {
      status: muted() ? 'muted' : 'active',
      bannedUntil: null,
      banReason: null,
    });
  const unmute = () =>
    run('unmute', () => trpc.admin.users.unmute.mutate({ userId: userId() }), {
      status: banned() ? 'banned' : 'active',
      mutedUntil: null,
      muteReason: null,
    });
  const setRole = (role: 'user' | 'admin') =>
    run(role, () => trpc.admin.users.setRole.mutate({ userId: userId(), role }), { role }).then(() => {
      // Giving up your own admin rights: ask who you are again, and this page becomes the "Admins only" one.
      if (props.self && role === 'user' && !error()) auth.retry();
    });

  const sendPasswordReset = () =>
    run(
      'reset',
      async () => {
        const { email } = await trpc.admin.users.sendPasswordReset.mutate({ userId: userId() });
        setDone(`Sent a password-reset link to ${email}.`);
      },
      {},
    );

  const closeDialog = () => {
    setAsking(null);
    // The button that opened it may have given way (Ban → Unban): the row's first action takes focus.
    actions?.querySelector<HTMLElement>('button')?.focus();
  };

  const Action = (button: { action: string; onClick: () => void; children: JSX.Element }) => (
    <button
      type="button"
      class="button button-small"
      disabled={busy() !== null}
      aria-busy={busy() === button.action}
      onClick={() => button.onClick()}
    >
      <Show when={busy() === button.action}>
        <span class="spinner" aria-hidden="true" />
      </Show>
      {button.children}
      <span class="sr-only"> {name()}</span>
    </button>
  );

  return (
    <>
      <div class="admin-actions" ref={actions}>
        <Show when={!props.self} fallback={<span class="relation-tag">You</span>}>
          <Show
            when={banned()}
            fallback={
              <Action action="ban" onClick={() => setAsking('ban')}>
                Ban
              </Action>
            }
          >
            <Action action="unban" onClick={unban}>
              Unban
            </Action>
          </Show>
          <Show
            when={muted()}
            fallback={
              <Action action="mute" onClick={() => setAsking('mute')}>
                Mute
              </Action>
            }
          >
            <Action action="unmute" onClick={unmute}>
              Unmute
            </Action>
          </Show>
        </Show>
        <Show
          when={props.user.role === 'admin'}
          fallback={
            <ConfirmButton
              small
              label="Make admin"
              question={`Make ${name()} an admin? They will be able to ban people and delete messages.`}
              confirmLabel="Make admin"
              pending={busy() === 'admin'}
              disabled={busy() !== null}
              onConfirm={() => void setRole('admin')}
            />
          }
        >
          <ConfirmButton
            small
            label="Remove admin"
            question={
              props.self
                ? 'Give up your own admin rights? You will lose this page.'
                : `Remove ${name()}’s admin rights?`
            }
            confirmLabel="Remove admin"
            pending={busy() === 'user'}
            disabled={busy() !== null}
            onConfirm={() => void setRole('user')}
          />
        </Show>
        <ConfirmButton
          small
          label="Send password reset"
          question={`Mail ${name()} a link to choose a new password? Their password keeps working until they use it.`}
          confirmLabel="Send link"
          pending={busy() === 'reset'}
          disabled={busy() !== null}
          onConfirm={() => void sendPasswordReset()}
        />
      </div>
      <Show when={done()}>
        <p class="alert alert-success admin-row-note" role="status">
          {done()}
        </p>
      </Show>
      <Show when={error()}>
        <p class="alert alert-error admin-row-error" role="alert">
          {error()}
        </p>
      </Show>
      <Show when={asking() === 'ban'}>
        <BanDialog user={props.user} onDone={props.onChange} onClose={closeDialog} />
      </Show>
      <Show when={asking() === 'mute'}>
        <MuteDialog user={props.user} onDone={props.onChange} onClose={closeDialog} />
      </Show>
    </>
  );
}
