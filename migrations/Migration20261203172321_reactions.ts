import { Migration } from '@mikro-orm/migrations';

/** Emoji reactions: one row per person, message and emoji (issue 12). Generated from the Reaction entity. */
export class Migration20261203172321_reactions extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "reactions" ("id" bigserial primary key, "message_id" bigint not null, "user_id" int not null, "emoji" varchar(32) not null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "reactions_user" on "reactions" ("user_id");`);
    this.addSql(
      `alter table "reactions" add constraint "reactions_message_id_user_id_emoji_key" unique ("message_id", "user_id", "emoji");`,
    );

    this.addSql(
      `alter table "reactions" add constraint "reactions_message_id_fkey" foreign key ("message_id") references "messages" ("id") on update no action on delete cascade;`,
    );
    this.addSql(
      `alter table "reactions" add constraint "reactions_user_id_fkey" foreign key ("user_id") references "users" ("id") on update no action on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "reactions" cascade;`);
  }
}
