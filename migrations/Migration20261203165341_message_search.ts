import { Migration } from '@mikro-orm/migrations';

/** Full-text search over messages: the expression GIN index the Message entity describes (messages_body_search). */
export class Migration20261203165341_message_search extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index messages_body_search on messages using gin (to_tsvector('simple', body));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "messages_body_search";`);
  }
}
