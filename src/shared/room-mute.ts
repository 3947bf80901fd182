import { z } from 'zod';
import { roomIdSchema } from './chat.ts';

/** `chat.setRoomMuted`: a member silences a room (or lets it speak again) on every device of theirs. */
export const setRoomMutedInput = z.object({
  roomId: roomIdSchema,
  muted: z.boolean({ error: 'muted is true or false.' }),
});
