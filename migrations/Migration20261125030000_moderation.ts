import { Migration } from '@mikro-orm/migrations';

/** Bans, mutes, reports, moderator deletions and the append-only audit log. */
export class Migration20261125030000_moderation extends Migration {
  override up(): void {
    this.addSql(`
      alter table users
        add column banned_until timestamptz,
        add column ban_reason varchar(500),
        add column muted_until timestamptz,
        add column mute_reason varchar(500),
        add column last_seen_at timestamptz`);
    this.addSql(
      "alter table messages add column deleted_by text check (deleted_by in ('sender', 'moderator'))",
    );
    this.addSql("update messages set deleted_by = 'sender' where deleted_at is not null");
    this.addSql('create index messages_sender on messages (sender_id)');
    this.addSql('create index messages_created_at on messages (created_at)');

    this.addSql(`
      create table reports (
        id serial primary key,
        message_id bigint not null references messages (id) on delete cascade,
        reporter_id integer not null references users (id) on delete cascade,
        reason varchar(500) not null,
        status text not null default 'open' check (status in ('open', 'resolved', 'dismissed')),
        action text,
        resolved_by integer references users (id) on delete set null,
        resolved_at timestamptz,
        created_at timestamptz not null default now(),
        unique (message_id, reporter_id)
      )`);
    this.addSql('create index reports_status on reports (status, id desc)');

    this.addSql(`
      create table audit_log (
        id bigserial primary key,
        actor_id integer references users (id) on delete set null,
        action text not null,
        target_user_id integer references users (id) on delete set null,
        target_message_id bigint,
        reason varchar(500),
        details jsonb not null default '{}',
        created_at timestamptz not null default now()
      )`);
    // Append-only: the database itself refuses to change or remove an entry.
    this.addSql(`
      create function audit_log_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_log is append-only';
      end $$`);
    this.addSql(`
      create trigger audit_log_no_change before update or delete on audit_log
        for each row execute function audit_log_append_only()`);
  }

  override down(): void {
    this.addSql('drop table audit_log, reports');
    this.addSql('drop function audit_log_append_only');
    this.addSql('drop index messages_sender, messages_created_at');
    this.addSql('alter table messages drop column deleted_by');
    this.addSql(
      'alter table users drop column banned_until, drop column ban_reason, drop column muted_until, drop column mute_reason, drop column last_seen_at',
    );
  }
}
