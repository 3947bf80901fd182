import { createNow, exactTime, relativeTime } from '../lib/time.ts';

/** "5 minutes ago", kept fresh; the exact time shows on hover and is in the markup for assistive tech. */
export function RelativeTime(props: { iso: string; class?: string }) {
  const now = createNow();
  return (
    <time class={props.class} datetime={props.iso} title={exactTime(props.iso)}>
      {relativeTime(props.iso, now())}
    </time>
  );
}
