import type { TestServer } from './server.ts';
import { type Account, type Registration, registerUser } from './users.ts';

export type Client = ReturnType<TestServer['client']>;

/** Someone signed in to Parley in a browser tab: their account and a typed client carrying their session. */
export interface Person {
  id: number;
  username: string;
  displayName: string;
  account: Account;
  client: Client;
}

/** Registers someone and opens a tab for them. */
export async function signUp(server: TestServer, details: Registration = {}): Promise<Person> {
  const account = await registerUser(server, details);
  return {
    id: account.me.id,
    username: account.username,
    displayName: account.me.displayName,
    account,
    client: server.client({ cookie: account.cookie }),
  };
}

/** Another tab (its own HTTP client and socket) for someone already signed in. */
export function openTab(server: TestServer, person: Person): Client {
  return server.client({ cookie: person.account.cookie });
}

/** Enough of a person to make friends with: who they are and a client in their name. */
export type Friendly = Pick<Person, 'id' | 'client'>;

/** `a` asks `b` and `b` says yes. */
export async function makeFriends(a: Friendly, b: Friendly): Promise<void> {
  const sent = await a.client.friends.sendRequest.mutate({ userId: b.id });
  if (sent.status === 'pending') await b.client.friends.accept.mutate({ requestId: sent.requestId });
}

/** The id of the pending request `from` sent to `to`, as `to` sees it. */
export async function incomingRequestId(to: Person, from: Person): Promise<number> {
  const { incoming } = await to.client.friends.requests.query();
  const request = incoming.find((r) => r.from.id === from.id);
  if (!request) throw new Error(`${to.username} has no request from ${from.username}`);
  return request.id;
}
