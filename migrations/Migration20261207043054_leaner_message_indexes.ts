import { Migration } from '@mikro-orm/migrations';

/**
 * Two fewer index inserts for most appends: `messages_sender` went (the unique (sender_id, client_id) leads with the
 * same column), and `messages_reply_to` keeps only replies. Generated from the entity for the first; the second by
 * hand, as the generator does not compare an index's predicate.
 */
export class Migration20261207043054_leaner_message_indexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop index "messages_sender";`);
    this.addSql(`drop index "messages_reply_to";`);
    this.addSql(
      `create index "messages_reply_to" on "messages" ("reply_to_id") where "reply_to_id" is not null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "messages_reply_to";`);
    this.addSql(`create index "messages_reply_to" on "messages" ("reply_to_id");`);
    this.addSql(`create index "messages_sender" on "messages" ("sender_id");`);
  }
}
