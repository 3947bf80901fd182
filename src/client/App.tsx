import { Route, Router, type RouteSectionProps } from '@solidjs/router';
import { AppShell } from './components/AppShell.tsx';
import { AuthProvider } from './components/AuthProvider.tsx';
import { ConnectionBanner } from './components/ConnectionBanner.tsx';
import { GuestOnly, SignedInOnly } from './components/Gates.tsx';
import { AccountPage } from './pages/AccountPage.tsx';
import { HomePage } from './pages/HomePage.tsx';
import { LoginPage } from './pages/LoginPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { RegisterPage } from './pages/RegisterPage.tsx';

function Root(props: RouteSectionProps) {
  return (
    <AuthProvider>
      <ConnectionBanner />
      {props.children}
    </AuthProvider>
  );
}

const Guest = (props: RouteSectionProps) => <GuestOnly>{props.children}</GuestOnly>;

const SignedIn = (props: RouteSectionProps) => (
  <SignedInOnly>
    <AppShell>{props.children}</AppShell>
  </SignedInOnly>
);

export function App() {
  return (
    <Router root={Root}>
      <Route path="/" component={Guest}>
        <Route path="/login" component={LoginPage} />
        <Route path="/register" component={RegisterPage} />
      </Route>
      <Route path="/" component={SignedIn}>
        <Route path="/" component={HomePage} />
        <Route path="/account" component={AccountPage} />
      </Route>
      <Route path="*404" component={NotFoundPage} />
    </Router>
  );
}
