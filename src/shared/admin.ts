import { z } from 'zod';
import { messageIdSchema } from './chat.ts';
import { bigIdSchema, integerIdSchema } from './ids.ts';
import { userIdSchema } from './people.ts';
import { lineText, multilineText } from './text.ts';

const reason = multilineText()
  .trim()
  .min(1, 'Give a reason.')
  .max(500, 'A reason is at most 500 characters.');
const future = z.iso
  .datetime({ offset: true, message: 'Give a date and time, like 2030-01-31T12:00:00Z.' })
  .refine((value) => Date.parse(value) > Date.now(), 'That time has already passed.');

export const userStatuses = ['all', 'active', 'banned', 'muted'] as const;

export const adminUsersListInput = z
  .object({
    query: lineText().trim().max(60).optional(),
    status: z.enum(userStatuses).default('all'),
    cursor: bigIdSchema.nullish(),
    limit: z.number().int().min(1).max(100).default(50),
  })
  .optional();

/** Without `until` a ban is permanent. */
export const banInput = z.object({ userId: userIdSchema, reason, until: future.optional() });
export const muteInput = z.object({ userId: userIdSchema, reason, until: future });
export const userOnlyInput = z.object({ userId: userIdSchema });
export const setRoleInput = z.object({ userId: userIdSchema, role: z.enum(['user', 'admin']) });
export const adminDeleteMessageInput = z.object({ messageId: messageIdSchema, reason });

export const reportInput = z.object({ messageId: messageIdSchema, reason });
export const reportStatuses = ['open', 'resolved', 'dismissed'] as const;
export const reportsListInput = z
  .object({ status: z.enum(reportStatuses).default('open'), cursor: bigIdSchema.nullish() })
  .optional();
export const resolveReportInput = z.object({
  reportId: integerIdSchema('report'),
  /** `dismiss`: nothing wrong; `delete`: remove the message as a moderator. */
  action: z.enum(['dismiss', 'delete']),
});

export const auditListInput = z
  .object({
    cursor: bigIdSchema.nullish(),
    limit: z.number().int().min(1).max(100).default(50),
  })
  .optional();
