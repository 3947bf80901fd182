import { Migration } from '@mikro-orm/migrations';

/** Replies: a message may name the message it answers (in the same room; the service checks that). */
export class Migration20261203172623_replies extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "messages" add column "reply_to_id" bigint null;`);
    this.addSql(
      `alter table "messages" add constraint "messages_reply_to_id_fkey" foreign key ("reply_to_id") references "messages" ("id") on update no action on delete set null;`,
    );
    this.addSql(`create index "messages_reply_to" on "messages" ("reply_to_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "messages" drop constraint "messages_reply_to_id_fkey";`);
    this.addSql(`drop index "messages_reply_to";`);
    this.addSql(`alter table "messages" drop column "reply_to_id";`);
  }
}
