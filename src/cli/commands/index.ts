import type { Command } from '../command.ts';
import { audit, stats } from './admin-info.ts';
import { resetPassword } from './admin-reset.ts';
import { ban, deleteMessage, mute, unban, unmute } from './admin-users.ts';
import { createAdmin } from './create-admin.ts';
import { friends } from './friends.ts';
import { login } from './login.ts';
import { logout } from './logout.ts';
import { react } from './react.ts';
import { muteRoom, unmuteRoom } from './room-mute.ts';
import { search } from './search.ts';
import { send } from './send.ts';
import { tail } from './tail.ts';
import { whoami } from './whoami.ts';

/** In the order `parley --help` lists them. */
export const commands: Command[] = [
  login,
  logout,
  whoami,
  send,
  react,
  tail,
  muteRoom,
  unmuteRoom,
  search,
  friends,
  ban,
  unban,
  mute,
  unmute,
  resetPassword,
  deleteMessage,
  audit,
  stats,
  createAdmin,
];
