import { A } from '@solidjs/router';
import { ShieldIcon } from '../components/Icons.tsx';
import { usePageTitle } from '../lib/title.ts';

/** What a signed-in person who is not an admin sees at an admin address: a plain 403, and a way back. */
export function ForbiddenPage() {
  usePageTitle(() => 'Admins only');
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
