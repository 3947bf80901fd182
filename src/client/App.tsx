import { Route, Router, type RouteSectionProps } from '@solidjs/router';
import { AppShell } from './components/AppShell.tsx';
import { AuthProvider } from './components/AuthProvider.tsx';
import { ChatProvider } from './components/ChatProvider.tsx';
import { ConnectionBanner } from './components/ConnectionBanner.tsx';
import { GuestOnly, SignedInOnly } from './components/Gates.tsx';
import { GuestShell } from './components/GuestShell.tsx';
import { LiveProvider } from './components/LiveProvider.tsx';
import { AccountPage } from './pages/AccountPage.tsx';
import { AdminPage } from './pages/AdminPage.tsx';
import { ChatPage } from './pages/ChatPage.tsx';
import { ForgotPasswordPage } from './pages/ForgotPasswordPage.tsx';
import { HomePage } from './pages/HomePage.tsx';
import { LoginPage } from './pages/LoginPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { ProfilePage } from './pages/ProfilePage.tsx';
import { RegisterPage } from './pages/RegisterPage.tsx';
import { ResetPasswordPage } from './pages/ResetPasswordPage.tsx';
import { SearchPage } from './pages/SearchPage.tsx';

function Root(props: RouteSectionProps) {
  return (
    <AuthProvider>
      <ConnectionBanner />
      {props.children}
    </AuthProvider>
  );
}

const Guest = (props: RouteSectionProps) => <GuestOnly>{props.children}</GuestOnly>;

// Signed-out visitors may read the public room at `/`; every other page here needs signing in.
const SignedIn = (props: RouteSectionProps) => (
  <SignedInOnly
    guestAllowed={props.location.pathname === '/'}
    guest={<GuestShell>{props.children}</GuestShell>}
  >
    <LiveProvider>
      <ChatProvider>
        <AppShell>{props.children}</AppShell>
      </ChatProvider>
    </LiveProvider>
  </SignedInOnly>
);

export function App() {
  return (
    <Router root={Root}>
      <Route path="/" component={Guest}>
        <Route path="/login" component={LoginPage} />
        <Route path="/register" component={RegisterPage} />
        <Route path="/forgot-password" component={ForgotPasswordPage} />
      </Route>
      {/* Signed in or not: the link in a reset mail must work in whichever browser opens it. */}
      <Route path="/reset-password" component={ResetPasswordPage} />
      <Route path="/" component={SignedIn}>
        <Route path="/" component={HomePage} />
        <Route path="/chat/:roomId?" component={ChatPage} />
        <Route path="/search" component={SearchPage} />
        <Route path="/account/:tab?" component={AccountPage} />
        <Route path="/u/:username" component={ProfilePage} />
        <Route path="/admin/:tab?" component={AdminPage} />
      </Route>
      <Route path="*404" component={NotFoundPage} />
    </Router>
  );
}
