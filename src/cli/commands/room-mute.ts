/** `parley mute-room` / `parley unmute-room`: silence a conversation on every device (it still counts unread). */
import { defineCommand } from '../command.ts';
import { resolveRoom } from '../resolve.ts';

const roomHelp = 'A room is `public`, a room id, or @username for the private room with a friend.';

function roomMuteCommand(muted: boolean) {
  return defineCommand({
    name: muted ? 'mute-room' : 'unmute-room',
    usage: '<room>',
    summary: muted
      ? 'stop a conversation notifying you (it still counts unread), on every device'
      : 'let a muted conversation notify you again',
    details: [roomHelp, '', `Example: parley ${muted ? 'mute-room' : 'unmute-room'} public`],
    arity: [1, 1],
    async run(cli, { positionals }) {
      const client = cli.signedIn();
      const room = await resolveRoom(client, positionals[0] ?? '');
      const result = await client.chat.setRoomMuted.mutate({ roomId: room.id, muted });
      cli.out.result(result, () => `${muted ? 'Muted' : 'Unmuted'} ${room.name}.`);
    },
  });
}

export const muteRoom = roomMuteCommand(true);
export const unmuteRoom = roomMuteCommand(false);
