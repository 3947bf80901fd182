import { Migration } from '@mikro-orm/migrations';

/**
 * Rooms, members, messages and each room's event log. A room has one counter (`position`): every durable event
 * (a message, an edit, a deletion) takes the next value, so a client resumes from the last position it saw.
 */
export class Migration20261125020000_chat extends Migration {
  override up(): void {
    this.addSql(`
      create table rooms (
        id serial primary key,
        kind text not null check (kind in ('public', 'private')),
        name varchar(80) not null,
        user_low integer references users (id) on delete cascade,
        user_high integer references users (id) on delete cascade,
        position bigint not null default 0,
        last_activity_at timestamptz not null default now(),
        created_at timestamptz not null default now(),
        check ((kind = 'private') = (user_low is not null and user_high is not null)),
        check (user_low < user_high)
      )`);
    this.addSql(
      "create unique index rooms_private_pair on rooms (user_low, user_high) where kind = 'private'",
    );
    this.addSql("create index rooms_user_high on rooms (user_high) where kind = 'private'");
    this.addSql("create unique index rooms_one_public on rooms (kind) where kind = 'public'");
    this.addSql("insert into rooms (kind, name) values ('public', 'Public room')");

    this.addSql(`
      create table room_members (
        room_id integer not null references rooms (id) on delete cascade,
        user_id integer not null references users (id) on delete cascade,
        read_seq bigint not null default 0,
        joined_at timestamptz not null default now(),
        primary key (room_id, user_id)
      )`);
    this.addSql('create index room_members_user on room_members (user_id)');

    this.addSql(`
      create table messages (
        id bigserial primary key,
        room_id integer not null references rooms (id) on delete cascade,
        seq bigint not null,
        sender_id integer not null references users (id) on delete cascade,
        client_id varchar(64) not null,
        body text not null,
        created_at timestamptz not null default now(),
        edited_at timestamptz,
        deleted_at timestamptz,
        unique (room_id, seq),
        unique (sender_id, client_id)
      )`);

    this.addSql(`
      create table room_events (
        room_id integer not null references rooms (id) on delete cascade,
        position bigint not null,
        type text not null check (type in ('message.created', 'message.edited', 'message.deleted')),
        message_id bigint not null references messages (id) on delete cascade,
        created_at timestamptz not null default now(),
        primary key (room_id, position)
      )`);
  }

  override down(): void {
    this.addSql('drop table room_events, messages, room_members, rooms');
  }
}
