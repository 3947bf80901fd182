import { Migration } from '@mikro-orm/migrations';

/**
 * Message search reads each body's words from a stored column (Message.searchVector) instead of parsing the body
 * again for every candidate; the full-text index moves onto that column under the same name. Generated from the
 * entities, with the index's change (which the generator does not see in an expression index) added by hand.
 * Adding the column rewrites the messages table once.
 */
export class Migration20261204193658_message_search_vector extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "messages" add column "search_vector" tsvector generated always as (to_tsvector('simple'::regconfig, body)) stored not null;`,
    );
    this.addSql(`drop index "messages_body_search";`);
    this.addSql(`create index messages_body_search on messages using gin (search_vector);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "messages_body_search";`);
    this.addSql(`alter table "messages" drop column "search_vector";`);
    this.addSql(`create index messages_body_search on messages using gin (to_tsvector('simple', body));`);
  }
}
