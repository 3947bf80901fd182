import { A } from '@solidjs/router';
import { onCleanup } from 'solid-js';
import { ShieldIcon } from '../components/Icons.tsx';

/** What a signed-in person who is not an admin sees at an admin address: a plain 403, and a way back. */
export function ForbiddenPage() {
  document.title = 'Admins only · Parley';
  onCleanup(() => {
    document.title = 'Parley';
  });
  return (
    <div class="forbidden">
      <span class="forbidden-icon">
        <ShieldIcon />
      </span>
      <p class="forbidden-code">Error 403</p>
      <h1 class="forbidden-title">Admins only</h1>
      <p class="muted">
        This page is for the people who moderate Parley. If you think you should have access, ask one of the
        admins.
      </p>
      <A href="/" class="button button-primary">
        Back to the public room
      </A>
    </div>
  );
}
