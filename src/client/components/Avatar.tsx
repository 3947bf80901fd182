/** Initials in a coloured circle; the colour comes from the username, so a person keeps theirs. */
export function Avatar(props: { name: string; username: string; size?: 'small' | 'large' }) {
  return (
    <span
      class="avatar"
      classList={{ 'avatar-large': props.size === 'large' }}
      style={{ '--avatar-hue': String(hue(props.username)) }}
      aria-hidden="true"
    >
      {initials(props.name || props.username)}
    </span>
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
