/** Grows a textarea with its text, up to its CSS max-height (where it starts to scroll). */
export function fitToContent(textarea: HTMLTextAreaElement): void {
  textarea.style.height = 'auto';
  textarea.style.height = `${textarea.scrollHeight}px`;
}

/**
 * Enter (without Shift) as "submit", the way every chat app does; Shift+Enter keeps its newline. An Enter that
 * confirms an input method's composition (Japanese, Chinese…) is left alone.
 */
export function isSubmitKey(event: KeyboardEvent): boolean {
  return event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229;
}
