const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'long' });

/** An ISO timestamp from the API in the reader's own locale and time zone. */
export function formatDate(iso: string): string {
  return dateFormat.format(new Date(iso));
}

/** Just the day, e.g. for "Joined March 3, 2025". */
export function formatDay(iso: string): string {
  return dayFormat.format(new Date(iso));
}

/** "1 friend", "3 friends". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
