/** The speech-bubble mark and the name; the mark is decorative, the name is the text. */
export function Logo(props: { compact?: boolean }) {
  return (
    <span class="logo">
      <svg class="logo-mark" viewBox="0 0 32 32" aria-hidden="true" width="28" height="28">
        <rect width="32" height="32" rx="8" fill="currentColor" />
        <path d="M8 10h16v9H14l-5 4v-4H8z" fill="var(--logo-bubble)" />
      </svg>
      <span class="logo-name" classList={{ 'sr-only': props.compact }}>
        Parley
      </span>
    </span>
  );
}
