import { createSignal, Match, Show, Switch } from 'solid-js';
import { describeError } from '../lib/errors.ts';
import { type FriendAction, type Relation, useFriends } from '../lib/friends.ts';
import { ConfirmButton } from './ConfirmButton.tsx';

/** How you relate to someone, in a few words; nothing when you do not. */
export const relationLabels: Record<Relation, string> = {
  self: 'You',
  friend: 'Friend',
  incoming: 'Sent you a request',
  outgoing: 'Request sent',
  none: '',
  blocked: 'Blocked',
};

export interface PersonActionsProps {
  user: { id: number; displayName: string };
  relation: Relation;
  /** Also offer Unfriend (to a friend) and Block; both ask first. */
  unfriend?: boolean;
  block?: boolean;
  /** Told how you relate after an action succeeded, before the live refresh says so too. */
  onChange?: (relation: Relation) => void;
}

/** The buttons that fit how you relate to someone: Add friend, Cancel request, Accept / Decline, Message, Unblock. */
export function PersonActions(props: PersonActionsProps) {
  const friends = useFriends();
  const [busy, setBusy] = createSignal<FriendAction | 'message' | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const is = (...relations: Relation[]) => relations.includes(props.relation);

  const run = async (action: FriendAction | 'message') => {
    setBusy(action);
    setError(null);
    try {
      if (action === 'message') {
        await friends.message(props.user.id);
        return;
      }
      const relation = await friends.act(action, props.user.id);
      props.onChange?.(relation);
    } catch (cause) {
      setError(describeError(cause).message ?? 'That did not work. Please try again.');
    } finally {
      setBusy(null);
    }
  };

  const Action = (button: { action: FriendAction | 'message'; label: string; primary?: boolean }) => (
    <button
      type="button"
      class="button button-small"
      classList={{ 'button-primary': button.primary }}
      disabled={busy() !== null}
      aria-busy={busy() === button.action}
      onClick={() => run(button.action)}
    >
      <Show when={busy() === button.action}>
        <span class="spinner" aria-hidden="true" />
      </Show>
      {button.label}
    </button>
  );

  return (
    <div class="person-actions">
      <Switch>
        <Match when={is('self')}>
          <span class="relation-tag">You</span>
        </Match>
        <Match when={is('none')}>
          <Action action="request" label="Add friend" primary />
        </Match>
        <Match when={is('outgoing')}>
          <Action action="cancel" label="Cancel request" />
        </Match>
        <Match when={is('incoming')}>
          <Action action="accept" label="Accept" primary />
          <Action action="decline" label="Decline" />
        </Match>
        <Match when={is('friend')}>
          <Action action="message" label="Message" primary />
          <Show when={props.unfriend}>
            <ConfirmButton
              label="Unfriend"
              question={`Remove ${props.user.displayName} from your friends?`}
              confirmLabel={`Yes, unfriend ${props.user.displayName}`}
              small
              pending={busy() === 'unfriend'}
              disabled={busy() !== null}
              onConfirm={() => run('unfriend')}
            />
          </Show>
        </Match>
        <Match when={is('blocked')}>
          <Action action="unblock" label="Unblock" />
        </Match>
      </Switch>
      <Show when={props.block && !is('self', 'blocked')}>
        <ConfirmButton
          label="Block"
          question={`Block ${props.user.displayName}? It ends any friendship, and they can no longer find you.`}
          confirmLabel={`Yes, block ${props.user.displayName}`}
          small
          pending={busy() === 'block'}
          disabled={busy() !== null}
          onConfirm={() => run('block')}
        />
      </Show>
      <Show when={error()}>
        <p class="person-error" role="alert">
          {error()}
        </p>
      </Show>
    </div>
  );
}
