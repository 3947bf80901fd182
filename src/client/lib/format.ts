const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** An ISO timestamp from the API in the reader's own locale and time zone. */
export function formatDate(iso: string): string {
  return dateFormat.format(new Date(iso));
}
