import { A } from '@solidjs/router';
import type { ParentProps } from 'solid-js';
import { Logo } from './Logo.tsx';
import { SkipLink } from './SkipLink.tsx';

/** The two ways in for a signed-out visitor, wherever they are offered. */
export function JoinLinks() {
  return (
    <>
      <A href="/login" class="button button-ghost">
        Log in
      </A>
      <A href="/register" class="button button-primary">
        Create account
      </A>
    </>
  );
}

/** The layout a signed-out visitor reads the public room in: the brand, and the ways to join. */
export function GuestShell(props: ParentProps) {
  return (
    <div class="shell shell-guest">
      <SkipLink />
      <header class="app-header">
        <A href="/" class="brand" aria-label="Parley home">
          <Logo />
        </A>
        <div class="header-end">
          <JoinLinks />
        </div>
      </header>
      <main id="main" class="main" tabIndex={-1}>
        {props.children}
      </main>
    </div>
  );
}
