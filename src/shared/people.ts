import { z } from 'zod';
import { usernameSchema } from './auth.ts';
import { bigIdSchema, integerIdSchema } from './ids.ts';
import { lineText, multilineText } from './text.ts';

export const relations = ['self', 'friend', 'incoming', 'outgoing', 'none', 'blocked'] as const;
export type Relation = (typeof relations)[number];

export const userIdSchema = integerIdSchema('user');
const idInput = z.object({ userId: userIdSchema });

export const searchInput = z.object({
  query: lineText()
    .trim()
    .min(1, 'Type something to search for.')
    .max(60, 'Search text is at most 60 characters.'),
  cursor: lineText().max(300).nullish(),
  limit: z.number().int().min(1).max(50).default(20),
});

export const byUsernameInput = z.object({ username: usernameSchema });

export const updateProfileInput = z.object({
  displayName: lineText()
    .trim()
    .min(1, 'Display name cannot be empty.')
    .max(60, 'Display name must be at most 60 characters.')
    .optional(),
  bio: multilineText().trim().max(500, 'Bio must be at most 500 characters.').optional(),
  showEmail: z.boolean().optional(),
});

/** 5 MB of image, base64-encoded (a third larger). */
export const maxAvatarBytes = 5 * 1024 * 1024;
export const setAvatarInput = z.object({
  image: z
    .string()
    .min(1, 'Choose an image.')
    .max(Math.ceil((maxAvatarBytes * 4) / 3) + 100, 'The image must be at most 5 MB.')
    .regex(/^(data:[\w/+.-]+;base64,)?[A-Za-z0-9+/=\s]+$/, 'Send the image as base64.'),
  /** The square to keep, in the image's pixels; the centre square when absent. */
  crop: z
    .object({ left: z.number().int().min(0), top: z.number().int().min(0), size: z.number().int().min(16) })
    .optional(),
});

export const sendRequestInput = idInput;
export const requestIdInput = z.object({ requestId: integerIdSchema('friend request') });
export const friendsListInput = z.object({ userId: userIdSchema.optional() }).optional();
export const blockInput = idInput;

export const notificationsListInput = z
  .object({ cursor: bigIdSchema.nullish(), limit: z.number().int().min(1).max(50).default(20) })
  .optional();
export const markNotificationsReadInput = z.union([
  z.object({ ids: z.array(bigIdSchema).min(1).max(200) }),
  z.object({ all: z.literal(true) }),
]);
