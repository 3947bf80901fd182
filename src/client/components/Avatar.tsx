import { Show } from 'solid-js';

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
          style={{ '--avatar-hue': String(hue(props.username)) }}
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

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : [words[0]];
  // Array.from splits by code point, so an emoji or accented letter is not cut in half.
  return letters
    .map((word) => Array.from(word ?? '')[0] ?? '')
    .join('')
    .toUpperCase();
}

function hue(text: string): number {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) % 360;
  return hash;
}
