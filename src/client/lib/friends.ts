import type { Navigator } from '@solidjs/router';
import { batch, createContext, createResource, createSignal, type Resource, useContext } from 'solid-js';
import type { Relation } from '../../shared/people.ts';
import type { Auth } from './auth.ts';
import { ClientProblem } from './errors.ts';
import type { Notifications } from './notifications.ts';
import { type RouterOutputs, trpc } from './trpc.ts';

export type { Relation };
export type PublicUser = RouterOutputs['friends']['blocked']['items'][number];
export type Friend = RouterOutputs['friends']['list']['items'][number];
export type Requests = RouterOutputs['friends']['requests'];

/** What a person can do about someone else, depending on how they relate. */
export type FriendAction = 'request' | 'cancel' | 'accept' | 'decline' | 'unfriend' | 'block' | 'unblock';

export interface Friends {
  list: Resource<Friend[]>;
  requests: Resource<Requests>;
  blocked: Resource<PublicUser[]>;
  /** Goes up on every change to this user's friends, requests or blocks, from any tab: refetch what shows them. */
  changes(): number;
  /** Does `action` about `userId` and answers how the two relate afterwards. */
  act(action: FriendAction, userId: number): Promise<Relation>;
  /** Accepts or declines a request by its id, as a notification knows it. */
  answer(requestId: number, accept: boolean): Promise<void>;
  /** Opens the private conversation with a friend. */
  message(userId: number): Promise<void>;
}

/** The signed-in user's friends, requests and blocks, refreshed live from the notifications stream. */
export function createFriends(auth: Auth, notifications: Notifications, navigate: Navigator): Friends {
  const userId = () => auth.user()?.id;
  const [list, { mutate: setList, refetch: refetchList }] = createResource(userId, async () => {
    return (await trpc.friends.list.query()).items;
  });
  const [requests, { mutate: setRequests, refetch: refetchRequests }] = createResource(userId, () =>
    trpc.friends.requests.query(),
  );
  const [blocked, { refetch: refetchBlocked }] = createResource(userId, async () => {
    return (await trpc.friends.blocked.query()).items;
  });
  const [changes, setChanges] = createSignal(0);

  const refresh = () => {
    batch(() => {
      void refetchList();
      void refetchRequests();
      void refetchBlocked();
      setChanges((n) => n + 1);
    });
  };

  notifications.listen((event) => {
    if (event.type === 'friends.changed' || event.type === 'reconnected') refresh();
    else if (event.type === 'friend.presence') {
      setList((friends) => friends?.map((f) => (f.id === event.userId ? { ...f, online: event.online } : f)));
    }
  });

  /** The pending request between us and `other`, looked up again if this tab has not heard of it yet. */
  async function requestWith(other: number, direction: 'incoming' | 'outgoing'): Promise<number> {
    const find = (r: Requests | undefined) =>
      direction === 'incoming'
        ? r?.incoming.find((request) => request.from.id === other)?.id
        : r?.outgoing.find((request) => request.to.id === other)?.id;
    const known = requests.state === 'ready' ? find(requests()) : undefined;
    if (known !== undefined) return known;
    const fresh = await trpc.friends.requests.query();
    setRequests(fresh);
    const id = find(fresh);
    if (id === undefined) throw new ClientProblem('That request was already answered or withdrawn.');
    return id;
  }

  async function perform(action: FriendAction, other: number): Promise<Relation> {
    switch (action) {
      case 'request': {
        const sent = await trpc.friends.sendRequest.mutate({ userId: other });
        return sent.status === 'accepted' ? 'friend' : 'outgoing';
      }
      case 'cancel':
        await trpc.friends.cancelRequest.mutate({ requestId: await requestWith(other, 'outgoing') });
        return 'none';
      case 'accept':
        await trpc.friends.accept.mutate({ requestId: await requestWith(other, 'incoming') });
        return 'friend';
      case 'decline':
        await trpc.friends.decline.mutate({ requestId: await requestWith(other, 'incoming') });
        return 'none';
      case 'unfriend':
        await trpc.friends.remove.mutate({ userId: other });
        return 'none';
      case 'block':
        await trpc.friends.block.mutate({ userId: other });
        return 'blocked';
      case 'unblock':
        await trpc.friends.unblock.mutate({ userId: other });
        return 'none';
    }
  }

  return {
    list,
    requests,
    blocked,
    changes,
    async act(action, other) {
      const relation = await perform(action, other);
      // The stream says so too, but this tab should not depend on its socket to show its own change.
      refresh();
      return relation;
    },
    async answer(requestId, accept) {
      if (accept) await trpc.friends.accept.mutate({ requestId });
      else await trpc.friends.decline.mutate({ requestId });
      refresh();
    },
    async message(other) {
      const room = await trpc.chat.openPrivate.mutate({ userId: other });
      navigate(`/chat/${room.id}`);
    },
  };
}

/** A resource's value once it has one (kept while it refreshes); `undefined` while loading or after an error. */
export function current<T>(resource: Resource<T>): T | undefined {
  return resource.state === 'ready' || resource.state === 'refreshing' ? resource() : undefined;
}

export const FriendsContext = createContext<Friends>();

export function useFriends(): Friends {
  const friends = useContext(FriendsContext);
  if (!friends) throw new Error('useFriends must be used inside <LiveProvider>.');
  return friends;
}
