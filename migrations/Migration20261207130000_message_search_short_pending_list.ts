import { Migration } from '@mikro-orm/migrations';

/**
 * Message search's GIN index keeps its list of pending entries to 64 kB (the least PostgreSQL allows) instead of 4
 * MB: the send whose insert finds the list full merges it into the index inside its own statement, and a 4 MB
 * merge held that send's batch for ~0.5 s (docs/performance.md, entry 83). What is pending now is merged here,
 * not by a send. Written by hand: the generator does not compare an expression index's storage parameters (the
 * Message entity declares it).
 */
export class Migration20261207130000_message_search_short_pending_list extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter index "messages_body_search" set (gin_pending_list_limit = 64);`);
    this.addSql(`select gin_clean_pending_list('messages_body_search');`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter index "messages_body_search" reset (gin_pending_list_limit);`);
  }
}
