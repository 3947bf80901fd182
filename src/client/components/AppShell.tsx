import { useLocation } from '@solidjs/router';
import { createEffect, createSignal, on, type ParentProps, Show } from 'solid-js';
import { AppHeader } from './AppHeader.tsx';
import { Sidebar } from './Sidebar.tsx';
import { SkipLink } from './SkipLink.tsx';

/**
 * The signed-in layout everyone knows from Slack, Discord and Element: header on top, conversations on the left,
 * the open one in the middle. Below tablet width the sidebar becomes a drawer opened from the header.
 */
export function AppShell(props: ParentProps) {
  const [navOpen, setNavOpen] = createSignal(false);
  const location = useLocation();
  // Following a link in the drawer should show the page, not leave the drawer over it.
  createEffect(
    on(
      () => location.pathname,
      () => setNavOpen(false),
      { defer: true },
    ),
  );

  return (
    <div class="shell" classList={{ 'shell-nav-open': navOpen() }}>
      <SkipLink />
      <AppHeader navOpen={navOpen()} onToggleNav={() => setNavOpen((open) => !open)} />
      <Sidebar onClose={() => setNavOpen(false)} />
      <Show when={navOpen()}>
        {/* Dims the page behind the drawer; a tap closes it. Keyboard users have the toggle and Escape. */}
        <button
          type="button"
          class="scrim"
          tabIndex={-1}
          aria-hidden="true"
          onClick={() => setNavOpen(false)}
        />
      </Show>
      <main id="main" class="main" tabIndex={-1}>
        {props.children}
      </main>
    </div>
  );
}
