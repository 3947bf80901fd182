import { useNavigate } from '@solidjs/router';
import type { ParentProps } from 'solid-js';
import { AuthContext, createAuth } from '../lib/auth.ts';

/** Holds this tab's session; lives inside the router because a session that ends elsewhere navigates. */
export function AuthProvider(props: ParentProps) {
  const auth = createAuth(useNavigate());
  return <AuthContext.Provider value={auth}>{props.children}</AuthContext.Provider>;
}
