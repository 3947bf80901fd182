import { Migration } from '@mikro-orm/migrations';

/**
 * The users' trigram indexes take new rows at once instead of through GIN's pending list, which every substring
 * search read through until autovacuum emptied it; what is pending now moves into the indexes. Written by hand:
 * the generator does not compare an expression index's storage parameters (the User entity declares them).
 */
export class Migration20261204225500_people_trigram_no_pending extends Migration {
  override async up(): Promise<void> {
    for (const index of ['users_username_trgm', 'users_display_name_trgm']) {
      this.addSql(`alter index "${index}" set (fastupdate = off);`);
      this.addSql(`select gin_clean_pending_list('${index}');`);
    }
  }

  override async down(): Promise<void> {
    for (const index of ['users_username_trgm', 'users_display_name_trgm']) {
      this.addSql(`alter index "${index}" reset (fastupdate);`);
    }
  }
}
