import { Migration } from '@mikro-orm/migrations';

/**
 * A private room's members keep their unread count on their membership (the append increments it instead of
 * recounting every unread message for each new one). Generated from the entity; the backfill, by hand, counts what
 * each private room's member has unread now, as the statements did.
 */
export class Migration20261205012558_member_unread extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "room_members" add column "unread" int not null default 0;`);
    this.addSql(`update "room_members" rm set "unread" = (select count(*) from "messages" x
      where x."room_id" = rm."room_id" and x."seq" > rm."read_seq" and x."deleted_at" is null
        and x."sender_id" <> rm."user_id")
      from "rooms" r where r."id" = rm."room_id" and r."kind" = 'private';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "room_members" drop column "unread";`);
  }
}
