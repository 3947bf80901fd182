import { A } from '@solidjs/router';
import { Show } from 'solid-js';
import type { Mute } from '../../lib/chat/mute.ts';
import type { PublicUser } from '../../lib/chat/types.ts';
import { dayAndTime } from '../../lib/time.ts';
import { JoinLinks } from '../GuestShell.tsx';
import { LockIcon } from './ChatIcons.tsx';

/** What stands in place of the composer, and why: a person sees the reason before they type, not after. */
export function SignInPrompt() {
  return (
    <div class="composer-note composer-note-guest">
      <p>
        <strong>Sign in to chat.</strong> Anyone can read the public room; join to say something.
      </p>
      <div class="composer-note-actions">
        <JoinLinks />
      </div>
    </div>
  );
}

/** A former friend's conversation: readable, closed to new messages until they are friends again. */
export function FormerFriendNote(props: { other?: PublicUser }) {
  return (
    <div class="composer-note">
      <LockIcon />
      <p>
        <Show when={props.other} fallback="You are no longer friends, so sending is off here.">
          {(other) => (
            <>
              You and {other().displayName} are no longer friends, so sending is off here. The history stays
              readable; become friends again to write.
            </>
          )}
        </Show>
      </p>
      <Show when={props.other}>
        {(other) => (
          <A href={`/u/${other().username}`} class="button button-ghost">
            View profile
          </A>
        )}
      </Show>
    </div>
  );
}

/** A moderator's words as a sentence of the note: ended with a full stop unless they end one already. */
const sentence = (text: string) => (/[.!?…]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

/** A moderator muted this person: until when, in their own time zone, and the reason they were given. */
export function MuteNote(props: { mute: Mute }) {
  return (
    <div class="composer-note" role="status">
      <LockIcon />
      <p>
        <strong>You are muted until {dayAndTime(props.mute.until)}.</strong>{' '}
        <Show when={props.mute.reason} fallback="A moderator gave no reason.">
          {(reason) => <>Reason: {sentence(reason())}</>}
        </Show>{' '}
        You can read, but not send, until then.
      </p>
    </div>
  );
}
