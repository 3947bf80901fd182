import { type Accessor, createSignal, onCleanup } from 'solid-js';

const clock = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const exact = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });
const shortDate = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const shortDateWithYear = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  year: 'numeric',
});
const dayWithoutYear = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });
const dayWithYear = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  month: 'long',
  day: 'numeric',
  year: 'numeric',
});
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

const minute = 60_000;
const day = 24 * 60 * minute;

/** The current time as a signal, ticking every `everyMs`; for relative times that must age while shown. */
export function createNow(everyMs = 30_000): Accessor<number> {
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), everyMs);
  onCleanup(() => clearInterval(timer));
  return now;
}

const startOfDay = (time: number) => new Date(time).setHours(0, 0, 0, 0);

/** Whole calendar days between two moments, in the reader's time zone (0: same day, 1: yesterday). */
function daysBetween(earlier: number, later: number): number {
  return Math.round((startOfDay(later) - startOfDay(earlier)) / day);
}

/** The full date and time, for a `title`: "Tuesday, 3 March 2026 at 14:03:27". */
export function exactTime(iso: string): string {
  return exact.format(new Date(iso));
}

/** The clock time alone: "14:03". */
export function clockTime(iso: string): string {
  return clock.format(new Date(iso));
}

/** "just now", "5 minutes ago", then the clock time today, "yesterday, 14:03", or "3 Mar, 14:03". */
export function relativeTime(iso: string, now: number): string {
  const time = Date.parse(iso);
  const ago = now - time;
  if (ago < minute) return 'just now';
  if (ago < 60 * minute) return relative.format(-Math.floor(ago / minute), 'minute');
  const days = daysBetween(time, now);
  if (days === 0) return clock.format(time);
  if (days === 1) return `${relative.format(-1, 'day')}, ${clock.format(time)}`;
  const date = new Date(time).getFullYear() === new Date(now).getFullYear() ? shortDate : shortDateWithYear;
  return `${date.format(time)}, ${clock.format(time)}`;
}

/** A compact time for a list: the clock time today, "Yesterday", a date otherwise. */
export function shortTime(iso: string, now: number): string {
  const time = Date.parse(iso);
  const days = daysBetween(time, now);
  if (days === 0) return clock.format(time);
  if (days === 1) return capitalise(relative.format(-1, 'day'));
  return (
    new Date(time).getFullYear() === new Date(now).getFullYear() ? shortDate : shortDateWithYear
  ).format(time);
}

/** The label of a day separator: "Today", "Yesterday", "Monday, 2 March" (with the year if not this one). */
export function dayLabel(iso: string, now: number): string {
  const time = Date.parse(iso);
  const days = daysBetween(time, now);
  if (days === 0) return capitalise(relative.format(0, 'day'));
  if (days === 1) return capitalise(relative.format(-1, 'day'));
  return (new Date(time).getFullYear() === new Date(now).getFullYear() ? dayWithoutYear : dayWithYear).format(
    time,
  );
}

export const sameDay = (a: string, b: string) => startOfDay(Date.parse(a)) === startOfDay(Date.parse(b));

const capitalise = (text: string) => text.charAt(0).toLocaleUpperCase() + text.slice(1);

const dayAndClock = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  month: 'long',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
});

/** A moment ahead, in the reader's time zone and words: "Thursday, December 3 at 6:56 PM". */
export function dayAndTime(iso: string): string {
  return dayAndClock.format(new Date(iso));
}
