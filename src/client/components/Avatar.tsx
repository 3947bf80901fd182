import { Show } from 'solid-js';
import { initials } from '../lib/initials.ts';

export type AvatarSize = 'small' | 'large' | 'huge';

/**
 * The person's picture, or their initials in a coloured circle; the colour comes from the username, so a person
 * keeps theirs. Always decorative: their name is written next to it.
 */
export function Avatar(props: { name: string; username: string; url?: string | null; size?: AvatarSize }) {
  const classes = () => ({ 'avatar-large': props.size === 'large', 'avatar-huge': props.size === 'huge' });
  return (
    <Show
      when={props.url}
      fallback={
        <span
          class="avatar"
          classList={classes()}
          style={{ '--avatar-colour': avatarColour(props.username) }}
          aria-hidden="true"
        >
          {initials(props.name || props.username)}
        </span>
      }
    >
      {(url) => <img class="avatar avatar-image" classList={classes()} src={url()} alt="" />}
    </Show>
  );
}

/**
 * Twelve distinct colours, each at least 5:1 against the white initials (WCAG AA asks 4.5:1), in light and dark
 * themes alike: a hue wheel at one lightness cannot promise that, since yellows and greens are far brighter.
 */
const avatarPalette = [
  '#b42318',
  '#b54708',
  '#8a5a00',
  '#3f7d20',
  '#067647',
  '#0e7090',
  '#175cd3',
  '#444ce7',
  '#6938ef',
  '#9e1ad6',
  '#c11574',
  '#475467',
] as const;

function avatarColour(username: string): string {
  let hash = 0;
  for (const char of username) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) % 10_007;
  return avatarPalette[hash % avatarPalette.length]!;
}
