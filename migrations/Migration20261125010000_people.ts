import { Migration } from '@mikro-orm/migrations';

/** Profiles, search, friend requests, friendships, blocks and notifications. */
export class Migration20261125010000_people extends Migration {
  override up(): void {
    this.addSql('create extension if not exists pg_trgm');
    this.addSql(`
      alter table users
        add column bio varchar(500) not null default '',
        add column show_email boolean not null default false,
        add column avatar_version integer`);
    // Trigram indexes serve substring search; the pattern-ops ones serve prefix search for short queries.
    this.addSql('create index users_username_trgm on users using gin (lower(username) gin_trgm_ops)');
    this.addSql('create index users_display_name_trgm on users using gin (lower(display_name) gin_trgm_ops)');
    this.addSql('create index users_username_prefix on users (lower(username) text_pattern_ops)');
    this.addSql('create index users_display_name_prefix on users (lower(display_name) text_pattern_ops)');

    this.addSql(`
      create table friend_requests (
        id serial primary key,
        from_id integer not null references users (id) on delete cascade,
        to_id integer not null references users (id) on delete cascade,
        status text not null default 'pending'
          check (status in ('pending', 'accepted', 'declined', 'cancelled')),
        created_at timestamptz not null default now(),
        responded_at timestamptz,
        check (from_id <> to_id)
      )`);
    // At most one pending request per pair, in either direction: holds under concurrent sends.
    this.addSql(`
      create unique index friend_requests_one_pending_per_pair
        on friend_requests (least(from_id, to_id), greatest(from_id, to_id)) where status = 'pending'`);
    this.addSql(
      "create index friend_requests_to_pending on friend_requests (to_id) where status = 'pending'",
    );
    this.addSql(
      "create index friend_requests_from_pending on friend_requests (from_id) where status = 'pending'",
    );

    this.addSql(`
      create table friendships (
        user_low integer not null references users (id) on delete cascade,
        user_high integer not null references users (id) on delete cascade,
        created_at timestamptz not null default now(),
        primary key (user_low, user_high),
        check (user_low < user_high)
      )`);
    this.addSql('create index friendships_user_high on friendships (user_high)');

    this.addSql(`
      create table blocks (
        blocker_id integer not null references users (id) on delete cascade,
        blocked_id integer not null references users (id) on delete cascade,
        created_at timestamptz not null default now(),
        primary key (blocker_id, blocked_id),
        check (blocker_id <> blocked_id)
      )`);
    this.addSql('create index blocks_blocked_id on blocks (blocked_id)');

    this.addSql(`
      create table notifications (
        id bigserial primary key,
        user_id integer not null references users (id) on delete cascade,
        kind text not null,
        actor_id integer references users (id) on delete cascade,
        request_id integer references friend_requests (id) on delete set null,
        text varchar(300) not null,
        created_at timestamptz not null default now(),
        read_at timestamptz
      )`);
    this.addSql('create index notifications_user_id on notifications (user_id, id desc)');
    this.addSql('create index notifications_unread on notifications (user_id) where read_at is null');
  }

  override down(): void {
    this.addSql('drop table notifications, blocks, friendships, friend_requests');
    this.addSql(
      'drop index users_username_trgm, users_display_name_trgm, users_username_prefix, users_display_name_prefix',
    );
    this.addSql('alter table users drop column bio, drop column show_email, drop column avatar_version');
  }
}
