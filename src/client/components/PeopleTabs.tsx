import { current, useFriends } from '../lib/friends.ts';
import { PeopleSection } from './PeopleSection.tsx';
import { PersonActions } from './PersonActions.tsx';
import { PersonRow } from './PersonRow.tsx';
import { RelativeTime } from './RelativeTime.tsx';

/** Account › Friends: who you are friends with, who is online, and a way to talk or part. */
export function FriendsTab() {
  const friends = useFriends();
  const online = () => {
    const list = current(friends.list);
    return list?.length ? `${list.filter((friend) => friend.online).length} online now.` : undefined;
  };
  return (
    <PeopleSection
      id="friends"
      title="Friends"
      description={online()}
      items={current(friends.list)}
      error={friends.list.error}
      empty="No friends yet. Find people with the search at the top and add them."
    >
      {(friend) => (
        <PersonRow user={friend}>
          <PersonActions user={friend} relation="friend" unfriend />
        </PersonRow>
      )}
    </PeopleSection>
  );
}

/** Account › Requests: the ones waiting for you, and the ones you sent. */
export function RequestsTab() {
  const friends = useFriends();
  const requests = () => current(friends.requests);
  return (
    <>
      <PeopleSection
        id="incoming"
        title="Waiting for you"
        items={requests()?.incoming}
        error={friends.requests.error}
        empty="No one is waiting for an answer."
      >
        {(request) => (
          <PersonRow user={request.from} detail={<RelativeTime iso={request.createdAt} />}>
            <PersonActions user={request.from} relation="incoming" />
          </PersonRow>
        )}
      </PeopleSection>
      <PeopleSection
        id="outgoing"
        title="Sent"
        items={requests()?.outgoing}
        error={friends.requests.error}
        empty="You have no requests waiting for an answer."
      >
        {(request) => (
          <PersonRow user={request.to} detail={<RelativeTime iso={request.createdAt} />}>
            <PersonActions user={request.to} relation="outgoing" />
          </PersonRow>
        )}
      </PeopleSection>
    </>
  );
}

/** Account › Blocked: people who cannot find you or ask you, until you unblock them. */
export function BlockedTab() {
  const friends = useFriends();
  return (
    <PeopleSection
      id="blocked"
      title="Blocked"
      description="They cannot find you, see your profile or send you requests."
      items={current(friends.blocked)}
      error={friends.blocked.error}
      empty="You have not blocked anyone."
    >
      {(user) => (
        <PersonRow user={user}>
          <PersonActions user={user} relation="blocked" />
        </PersonRow>
      )}
    </PeopleSection>
  );
}
