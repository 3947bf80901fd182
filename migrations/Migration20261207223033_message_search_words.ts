import { Migration } from '@mikro-orm/migrations';

/**
 * Message search reads a body with its ASCII punctuation as spaces (Message.searchVector), so that every word typed
 * is indexed as the run of letters and digits a search splits it into: the words between `<` and `>`, which the
 * text-search parser dropped as a tag, and the parts of addresses (`example.com`), which it kept whole. Generated
 * from the entities. Added by hand: the index, which goes with the dropped column and which the generator does not
 * see (an expression index); the column's statistics, without which the planner takes every word for a rare one
 * (services/chat/search.ts) until enough rows change for autovacuum to gather them; the down migration's
 * parentheses. Adding the column rewrites the messages table and builds the index again under an exclusive lock:
 * 18–27 s for a million messages on a busy 2-core host (docs/performance.md, entry 93).
 */
export class Migration20261207223033_message_search_words extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "messages" drop column "search_vector";`);
    this.addSql(
      `alter table "messages" add column "search_vector" tsvector generated always as (to_tsvector('simple'::regconfig, regexp_replace(body, '[!-/:-@[-\`{-~]'::text, ' '::text, 'g'::text))) stored not null;`,
    );
    this.addSql(
      `create index messages_body_search on messages using gin (search_vector) with (gin_pending_list_limit = 64);`,
    );
    this.addSql(`analyze "messages" ("search_vector");`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "messages" drop column "search_vector";`);
    this.addSql(
      `alter table "messages" add column "search_vector" tsvector generated always as (to_tsvector('simple'::regconfig, body)) stored not null;`,
    );
    this.addSql(
      `create index messages_body_search on messages using gin (search_vector) with (gin_pending_list_limit = 64);`,
    );
    this.addSql(`analyze "messages" ("search_vector");`);
  }
}
