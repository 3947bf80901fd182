import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125000000_accounts } from './Migration20261125000000_accounts.ts';
import { Migration20261125010000_people } from './Migration20261125010000_people.ts';
import { Migration20261125020000_chat } from './Migration20261125020000_chat.ts';
import { Migration20261125030000_moderation } from './Migration20261125030000_moderation.ts';
import { Migration20261125030100_audit_no_truncate } from './Migration20261125030100_audit_no_truncate.ts';
import { Migration20261203000000_named_checks } from './Migration20261203000000_named_checks.ts';
import { Migration20261203163650_room_mute } from './Migration20261203163650_room_mute.ts';
import { Migration20261203163909_password_resets } from './Migration20261203163909_password_resets.ts';
import { Migration20261203165341_message_search } from './Migration20261203165341_message_search.ts';
import { Migration20261203172321_reactions } from './Migration20261203172321_reactions.ts';
import { Migration20261203172623_replies } from './Migration20261203172623_replies.ts';
import { Migration20261204162013_images } from './Migration20261204162013_images.ts';
import { Migration20261204162049_mentions } from './Migration20261204162049_mentions.ts';
import { Migration20261204193658_message_search_vector } from './Migration20261204193658_message_search_vector.ts';
import { Migration20261204221759_people_search_prefix } from './Migration20261204221759_people_search_prefix.ts';
import { Migration20261204225500_people_trigram_no_pending } from './Migration20261204225500_people_trigram_no_pending.ts';
import { Migration20261205012558_member_unread } from './Migration20261205012558_member_unread.ts';
import { Migration20261207043054_leaner_message_indexes } from './Migration20261207043054_leaner_message_indexes.ts';
import { Migration20261207130000_message_search_short_pending_list } from './Migration20261207130000_message_search_short_pending_list.ts';
import { Migration20261207223033_message_search_words } from './Migration20261207223033_message_search_words.ts';

/**
 * Every migration, in order. Listing them (rather than letting the migrator find files at run time) means they are
 * imported like any module, under tsx, vitest or a bundler alike. `npm run db:migration:create` adds a file: list it here.
 */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261125000000_accounts', class: Migration20261125000000_accounts },
  { name: 'Migration20261125010000_people', class: Migration20261125010000_people },
  { name: 'Migration20261125020000_chat', class: Migration20261125020000_chat },
  { name: 'Migration20261125030000_moderation', class: Migration20261125030000_moderation },
  { name: 'Migration20261125030100_audit_no_truncate', class: Migration20261125030100_audit_no_truncate },
  { name: 'Migration20261203000000_named_checks', class: Migration20261203000000_named_checks },
  { name: 'Migration20261203163650_room_mute', class: Migration20261203163650_room_mute },
  { name: 'Migration20261203163909_password_resets', class: Migration20261203163909_password_resets },
  { name: 'Migration20261203165341_message_search', class: Migration20261203165341_message_search },
  { name: 'Migration20261203172321_reactions', class: Migration20261203172321_reactions },
  { name: 'Migration20261203172623_replies', class: Migration20261203172623_replies },
  { name: 'Migration20261204162013_images', class: Migration20261204162013_images },
  { name: 'Migration20261204162049_mentions', class: Migration20261204162049_mentions },
  {
    name: 'Migration20261204193658_message_search_vector',
    class: Migration20261204193658_message_search_vector,
  },
  {
    name: 'Migration20261204221759_people_search_prefix',
    class: Migration20261204221759_people_search_prefix,
  },
  {
    name: 'Migration20261204225500_people_trigram_no_pending',
    class: Migration20261204225500_people_trigram_no_pending,
  },
  { name: 'Migration20261205012558_member_unread', class: Migration20261205012558_member_unread },
  {
    name: 'Migration20261207043054_leaner_message_indexes',
    class: Migration20261207043054_leaner_message_indexes,
  },
  {
    name: 'Migration20261207130000_message_search_short_pending_list',
    class: Migration20261207130000_message_search_short_pending_list,
  },
  {
    name: 'Migration20261207223033_message_search_words',
    class: Migration20261207223033_message_search_words,
  },
];
