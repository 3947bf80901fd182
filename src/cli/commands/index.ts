import type { Command } from '../command.ts';
import { audit, stats } from './admin-info.ts';
import { ban, deleteMessage, mute, unban, unmute } from './admin-users.ts';
import { createAdmin } from './create-admin.ts';
import { friends } from './friends.ts';
import { login } from './login.ts';
import { logout } from './logout.ts';
import { react } from './react.ts';
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
  friends,
  ban,
  unban,
  mute,
  unmute,
  deleteMessage,
  audit,
  stats,
  createAdmin,
];
