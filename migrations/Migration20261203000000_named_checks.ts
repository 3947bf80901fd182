import { Migration } from '@mikro-orm/migrations';

/**
 * Names for the checks PostgreSQL had named by itself (`rooms_check1`…), so the entities can say which is which,
 * and a check on notification kinds, which the entity's enum now describes.
 */
export class Migration20261203000000_named_checks extends Migration {
  override up(): void {
    this.addSql('alter table blocks rename constraint blocks_check to blocks_not_self');
    this.addSql(
      'alter table friend_requests rename constraint friend_requests_check to friend_requests_not_self',
    );
    this.addSql('alter table friendships rename constraint friendships_check to friendships_ordered_pair');
    this.addSql('alter table rooms rename constraint rooms_check to rooms_private_has_pair');
    this.addSql('alter table rooms rename constraint rooms_check1 to rooms_ordered_pair');
    this.addSql(`
      alter table notifications add constraint notifications_kind_check check (kind in (
        'friend_request.received', 'friend_request.accepted', 'friend_request.declined',
        'friend_request.cancelled', 'friend.removed'))`);
  }

  override down(): void {
    this.addSql('alter table notifications drop constraint notifications_kind_check');
    this.addSql('alter table rooms rename constraint rooms_ordered_pair to rooms_check1');
    this.addSql('alter table rooms rename constraint rooms_private_has_pair to rooms_check');
    this.addSql('alter table friendships rename constraint friendships_ordered_pair to friendships_check');
    this.addSql(
      'alter table friend_requests rename constraint friend_requests_not_self to friend_requests_check',
    );
    this.addSql('alter table blocks rename constraint blocks_not_self to blocks_check');
  }
}
