import { A } from '@solidjs/router';
import { AuthCard } from '../components/AuthCard.tsx';

export function NotFoundPage() {
  return (
    <AuthCard title="Page not found" subtitle="There is nothing at this address. It may have moved.">
      <A href="/" class="button button-primary">
        Go to Parley
      </A>
    </AuthCard>
  );
}
