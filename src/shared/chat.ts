import { z } from 'zod';
import { integerIdSchema } from './ids.ts';
import { attachmentIdSchema, base64Image, hardMaxImageBytes, maxImagesPerMessage } from './images.ts';
import { userIdSchema } from './people.ts';
import { lineText, multilineText } from './text.ts';

export const maxMessageLength = 4000;

/** How long a "typing" signal lasts unless renewed; clients send one every few seconds while typing. */
export const typingTtlMs = 5_000;

export const roomIdSchema = integerIdSchema('room');
export const messageIdSchema = z.string().regex(/^\d{1,18}$/, 'A message id is a string of digits.');

export const messageBody = multilineText()
  .trim()
  .min(1, 'Write something first.')
  .max(maxMessageLength, `A message is at most ${maxMessageLength} characters.`);

export const openPrivateInput = z.object({ userId: userIdSchema });
export const historyInput = z
  .object({
    roomId: roomIdSchema,
    beforeSeq: z.number().int().positive().nullish(),
    /** The page just after this seq (scrolling down from an older place); answers with `newerCursor` too. */
    afterSeq: z.number().int().min(0).nullish(),
    /**
     * The page around this seq (a search hit, the last message read); answers with `newerCursor` too. 0 is the
     * room's start: a reader who has read nothing there lands on its first message.
     */
    aroundSeq: z.number().int().min(0).nullish(),
    limit: z.number().int().min(1).max(100).default(50),
  })
  .refine(
    (input) => [input.beforeSeq, input.afterSeq, input.aroundSeq].filter((seq) => seq != null).length <= 1,
    { message: 'Pass at most one of beforeSeq, afterSeq and aroundSeq.', path: ['aroundSeq'] },
  );
export const sendInput = z
  .object({
    roomId: roomIdSchema,
    /** Made by the client once per message and reused on every retry, so a retry never makes a second copy. */
    clientId: z
      .string()
      .min(8, 'clientId must be at least 8 characters.')
      .max(64, 'clientId must be at most 64 characters.')
      .regex(/^[A-Za-z0-9_-]+$/, 'clientId may use letters, digits, _ and -.'),
    /** May be empty when the message carries images. */
    body: multilineText()
      .trim()
      .max(maxMessageLength, `A message is at most ${maxMessageLength} characters.`),
    /** The message this one replies to: one of the same room, not deleted. */
    replyToId: messageIdSchema.nullish(),
    /** Images the sender uploaded to this room with `chat.uploadImage` and has not sent yet, in the order shown. */
    attachmentIds: z
      .array(attachmentIdSchema)
      .max(maxImagesPerMessage, `A message carries at most ${maxImagesPerMessage} images.`)
      .refine((ids) => new Set(ids).size === ids.length, 'Each image can be attached once.')
      .optional(),
  })
  .refine((input) => input.body.length > 0 || (input.attachmentIds?.length ?? 0) > 0, {
    message: 'Write something first.',
    path: ['body'],
  });

/** What an image shows, for people who cannot see it (a screen reader reads it; the full view shows it). */
const imageDescription = lineText().trim().max(200, 'The description must be at most 200 characters.');

/** One image for a message in this room: the answer's `id` goes into `chat.send`'s `attachmentIds`. */
export const uploadImageInput = z.object({
  roomId: roomIdSchema,
  image: base64Image(hardMaxImageBytes, 'The image must be at most 50 MB.'),
  alt: imageDescription.optional(),
});
/** A description given (or changed, or cleared) after the upload, while the image waits to be sent. */
export const describeImageInput = z.object({ attachmentId: attachmentIdSchema, alt: imageDescription });
export const editInput = z.object({ messageId: messageIdSchema, body: messageBody });
export const deleteInput = z.object({ messageId: messageIdSchema });
export const markReadInput = z.object({ roomId: roomIdSchema, seq: z.number().int().min(0) });
export const roomEventInput = z.object({
  roomId: roomIdSchema,
  lastEventId: z
    .string()
    .regex(/^\d{1,18}$/, 'lastEventId is a position: a string of digits.')
    .nullish(),
});
export const roomInput = z.object({ roomId: roomIdSchema });

export type RoomEventType = 'message.created' | 'message.edited' | 'message.deleted';
