import { Migration } from '@mikro-orm/migrations';

/** The audit log's append-only trigger covered rows only; TRUNCATE could still empty it in one statement. */
export class Migration20261125030100_audit_no_truncate extends Migration {
  override up(): void {
    this.addSql(`
      create trigger audit_log_no_truncate before truncate on audit_log
        for each statement execute function audit_log_append_only()`);
  }

  override down(): void {
    this.addSql('drop trigger audit_log_no_truncate on audit_log');
  }
}
