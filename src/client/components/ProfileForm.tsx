import { createSignal, createUniqueId, Show } from 'solid-js';
import { updateProfileInput } from '../../shared/people.ts';
import { useAuth } from '../lib/auth.ts';
import { createForm } from '../lib/form.ts';
import { trpc } from '../lib/trpc.ts';
import { FormAlert, Notice } from './Alert.tsx';
import type { Profile } from './ProfileCard.tsx';
import { SubmitButton } from './SubmitButton.tsx';
import { TextField } from './TextField.tsx';

/** Display name, bio, and whether the email shows on the profile. */
export function ProfileForm(props: { profile: Profile }) {
  const auth = useAuth();
  const showEmailId = `show-email-${createUniqueId()}`;
  const [done, setDone] = createSignal<string | null>(null);
  const form = createForm({
    schema: updateProfileInput,
    fields: ['displayName', 'bio', 'showEmail'],
    prepare: (values) => ({ ...values, showEmail: values.showEmail === 'on' }),
    async submit(input) {
      setDone(null);
      const saved = await trpc.users.updateProfile.mutate(input);
      auth.profileChanged({ displayName: saved.displayName });
      setDone('Profile saved.');
    },
  });

  return (
    <form class="form form-narrow" novalidate onSubmit={form.onSubmit} aria-label="Your profile">
      <Show when={done()}>
        <Notice tone="success">{done()}</Notice>
      </Show>
      <FormAlert message={form.formError()} />
      <TextField
        name="displayName"
        label="Display name"
        autocomplete="name"
        maxLength={60}
        value={props.profile.displayName}
        error={form.error('displayName')}
      />
      <TextField
        name="bio"
        label="Bio"
        optional
        rows={4}
        hint="A few words about you, shown on your profile."
        maxLength={500}
        value={props.profile.bio}
        error={form.error('bio')}
      />
      <div class="check-field">
        <input
          id={showEmailId}
          class="checkbox"
          type="checkbox"
          name="showEmail"
          checked={props.profile.showEmail}
          aria-describedby={`${showEmailId}-hint`}
        />
        <label for={showEmailId} class="field-label">
          Show my email on my profile
        </label>
        <p id={`${showEmailId}-hint`} class="field-hint">
          {props.profile.email ?? 'Your email'} is private unless you tick this.
        </p>
      </div>
      <SubmitButton pending={form.pending()} pendingLabel="Saving…">
        Save profile
      </SubmitButton>
    </form>
  );
}
