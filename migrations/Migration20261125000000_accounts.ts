import { Migration } from '@mikro-orm/migrations';

export class Migration20261125000000_accounts extends Migration {
  override up(): void {
    this.addSql(`
      create table users (
        id serial primary key,
        username varchar(30) not null,
        display_name varchar(60) not null,
        email varchar(254) not null,
        password_hash text not null,
        role text not null default 'user' check (role in ('user', 'admin')),
        created_at timestamptz not null default now(),
        constraint users_username_format check (username ~ '^[A-Za-z0-9_.-]{3,30}$'),
        constraint users_email_lower check (email = lower(email))
      )`);
    this.addSql('create unique index users_username_lower_key on users (lower(username))');
    this.addSql('create unique index users_email_key on users (email)');
    this.addSql(`
      create table sessions (
        id text primary key,
        user_id integer not null references users (id) on delete cascade,
        secret_hash bytea not null,
        created_at timestamptz not null,
        last_verified_at timestamptz not null,
        expires_at timestamptz not null
      )`);
    this.addSql('create index sessions_user_id_index on sessions (user_id)');
    this.addSql('create index sessions_expires_at_index on sessions (expires_at)');
    this.addSql(`
      create table api_tokens (
        id text primary key,
        user_id integer not null references users (id) on delete cascade,
        name varchar(60) not null,
        secret_hash bytea not null,
        created_at timestamptz not null,
        last_used_at timestamptz
      )`);
    this.addSql('create index api_tokens_user_id_index on api_tokens (user_id)');
  }

  override down(): void {
    this.addSql('drop table api_tokens');
    this.addSql('drop table sessions');
    this.addSql('drop table users');
  }
}
