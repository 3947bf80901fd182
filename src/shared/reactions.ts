import { z } from 'zod';
import { messageIdSchema } from './chat.ts';
import { isReactionEmoji } from './emoji.ts';

/** How many of the people behind one emoji a message carries; `chat.reactors` pages through the rest. */
export const reactorIdsShown = 20;

export const reactionEmojiSchema = z
  .string({ error: 'Pick an emoji.' })
  .max(32, 'Pick one emoji from the list.')
  .refine(isReactionEmoji, 'Pick one emoji from the list.');

/** Adds (`on: true`) or takes back (`on: false`) the caller's reaction; either is idempotent. */
export const reactInput = z.object({
  messageId: messageIdSchema,
  emoji: reactionEmojiSchema,
  on: z.boolean({ error: 'Say whether to add (true) or remove (false) the reaction.' }),
});

export const reactorsInput = z.object({
  messageId: messageIdSchema,
  emoji: reactionEmojiSchema,
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, 'A cursor is a string of digits.')
    .nullish(),
  limit: z.number().int().min(1).max(100).default(50),
});

/** One emoji on a message: how many reacted with it and who (the first `reactorIdsShown`, first reacted first). */
export interface ReactionSummary {
  emoji: string;
  count: number;
  userIds: number[];
}
