/** A time as the API speaks it: ISO-8601 UTC, or null. Every view maps optional times through this. */
export const isoOrNull = (time: Date | null | undefined) => time?.toISOString() ?? null;
