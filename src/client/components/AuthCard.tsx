import type { JSX, ParentProps } from 'solid-js';
import { Logo } from './Logo.tsx';

/** The centred card the signed-out pages use. */
export function AuthCard(props: ParentProps<{ title: string; subtitle?: string; footer?: JSX.Element }>) {
  return (
    <main class="auth-page">
      <div class="auth-card">
        <div class="auth-brand">
          <Logo />
        </div>
        <h1 class="auth-title">{props.title}</h1>
        {props.subtitle ? <p class="auth-subtitle">{props.subtitle}</p> : null}
        {props.children}
      </div>
      {props.footer ? <p class="auth-footer">{props.footer}</p> : null}
    </main>
  );
}
