import { Migration } from '@mikro-orm/migrations';

/** Password-reset links: one row per link sent, kept after it ends so the reset page can say why. */
export class Migration20261203163909_password_resets extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "password_resets" ("id" text not null, "user_id" int not null, "secret_hash" bytea not null, "created_at" timestamptz not null default now(), "expires_at" timestamptz not null, "ended_at" timestamptz null, "ended_by" text check ("ended_by" in ('used', 'replaced', 'password-changed')) null, constraint "password_resets_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "password_resets_user_id_index" on "password_resets" ("user_id");`);

    this.addSql(
      `alter table "password_resets" add constraint "password_resets_user_id_fkey" foreign key ("user_id") references "users" ("id") on update no action on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "password_resets" cascade;`);
  }
}
