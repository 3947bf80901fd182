import { z } from 'zod';

/** Database ids, positions and cursors as digit strings, short enough to fit PostgreSQL's bigint. */
export const bigIdSchema = z.string().regex(/^\d{1,18}$/, 'Expected an id: a string of up to 18 digits.');

/** PostgreSQL's `integer`, the type of user, room, friend request and report ids. */
const largestIntegerId = 2_147_483_647;

/**
 * A numeric id (`what`: "room", say): a whole number from 1 up to what its column can hold, so a larger one is
 * refused as input, not sent to PostgreSQL to fail there.
 */
export const integerIdSchema = (what: string) =>
  z
    .number({ error: `A ${what} id is a number.` })
    .int(`A ${what} id is a whole number.`)
    .positive(`A ${what} id is 1 or more.`)
    .max(largestIntegerId, `No ${what} has an id that large.`);
