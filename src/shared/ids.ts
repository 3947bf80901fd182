import { z } from 'zod';

/** Database ids, positions and cursors as digit strings, short enough to fit PostgreSQL's bigint. */
export const bigIdSchema = z.string().regex(/^\d{1,18}$/, 'Expected an id: a string of up to 18 digits.');
