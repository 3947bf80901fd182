import { Migration } from '@mikro-orm/migrations';

/** Mentions (issue 12): who a message names, by id; and the bell entry a mention makes. Generated from the entities. */
export class Migration20261204162049_mentions extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "message_mentions" ("message_id" bigint not null, "user_id" int not null, constraint "message_mentions_pkey" primary key ("message_id", "user_id"));`,
    );
    this.addSql(`create index "message_mentions_user" on "message_mentions" ("user_id");`);

    this.addSql(
      `alter table "message_mentions" add constraint "message_mentions_message_id_fkey" foreign key ("message_id") references "messages" ("id") on update no action on delete cascade;`,
    );
    this.addSql(
      `alter table "message_mentions" add constraint "message_mentions_user_id_fkey" foreign key ("user_id") references "users" ("id") on update no action on delete cascade;`,
    );

    this.addSql(`alter table "notifications" drop constraint if exists "notifications_kind_check";`);

    this.addSql(`alter table "notifications" add column "message_id" bigint null;`);
    this.addSql(
      `alter table "notifications" add constraint "notifications_message_id_fkey" foreign key ("message_id") references "messages" ("id") on update no action on delete cascade;`,
    );
    this.addSql(
      `alter table "notifications" add constraint "notifications_kind_check" check("kind" in ('friend_request.received', 'friend_request.accepted', 'friend_request.declined', 'friend_request.cancelled', 'friend.removed', 'message.mention'));`,
    );
    this.addSql(
      `create index notifications_message_id on notifications (message_id) where message_id is not null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "message_mentions" cascade;`);

    this.addSql(`alter table "notifications" drop constraint if exists "notifications_kind_check";`);

    this.addSql(`alter table "notifications" drop constraint "notifications_message_id_fkey";`);

    this.addSql(`drop index "notifications_message_id";`);
    this.addSql(`alter table "notifications" drop column "message_id";`);

    this.addSql(
      `alter table "notifications" add constraint "notifications_kind_check" check("kind" in ('friend_request.received', 'friend_request.accepted', 'friend_request.declined', 'friend_request.cancelled', 'friend.removed'));`,
    );
  }
}
