import { Migration } from '@mikro-orm/migrations';

/**
 * Images in messages (issue 12): uploads wait unsent until a message claims them. Generated from the Attachment
 * entity.
 */
export class Migration20261204162013_images extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "attachments" ("id" varchar(24) not null, "room_id" int not null, "uploader_id" int not null, "message_id" bigint null, "position" smallint not null default 0, "width" int not null, "height" int not null, "thumb_width" int not null, "thumb_height" int not null, "bytes" int not null, "alt" varchar(200) not null default '', "created_at" timestamptz not null default now(), constraint "attachments_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "attachments_uploader" on "attachments" ("uploader_id");`);
    this.addSql(`create index "attachments_message" on "attachments" ("message_id");`);
    this.addSql(`create index attachments_unsent on attachments (created_at) where message_id is null;`);

    this.addSql(
      `alter table "attachments" add constraint "attachments_room_id_fkey" foreign key ("room_id") references "rooms" ("id") on update no action on delete cascade;`,
    );
    this.addSql(
      `alter table "attachments" add constraint "attachments_uploader_id_fkey" foreign key ("uploader_id") references "users" ("id") on update no action on delete cascade;`,
    );
    this.addSql(
      `alter table "attachments" add constraint "attachments_message_id_fkey" foreign key ("message_id") references "messages" ("id") on update no action on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "attachments" cascade;`);
  }
}
