import { Migration } from '@mikro-orm/migrations';

/**
 * People search pages its prefix matches in username order: the display-name prefix index gains the lower-cased
 * username as a second key, so display-name matches whose username sorts beyond the page are passed over inside
 * the index. Generated from the entities (the User entity's indexes).
 */
export class Migration20261204221759_people_search_prefix extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop index "users_display_name_prefix";`);
    this.addSql(
      `create index users_display_name_username_prefix on users (lower(display_name) text_pattern_ops, lower(username) text_pattern_ops);`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "users_display_name_username_prefix";`);
    this.addSql(`create index users_display_name_prefix on users (lower(display_name) text_pattern_ops);`);
  }
}
