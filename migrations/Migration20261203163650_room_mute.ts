import { Migration } from '@mikro-orm/migrations';

/** A member may mute a room: it keeps counting unread, and never notifies them. */
export class Migration20261203163650_room_mute extends Migration {
  override up(): void {
    this.addSql('alter table "room_members" add column "muted" boolean not null default false;');
  }

  override down(): void {
    this.addSql('alter table "room_members" drop column "muted";');
  }
}
