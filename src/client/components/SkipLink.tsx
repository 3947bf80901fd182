/** Focus goes to the main region, as the link promises; the page does not scroll or change its address. */
function focusMain(event: MouseEvent) {
  const main = document.getElementById('main');
  if (!main) return;
  event.preventDefault();
  main.focus();
}

/**
 * "Skip to content": moves keyboard focus past the header and sidebar to the main region. The router treats a
 * `#main` link as navigation and leaves focus on the link, so the link moves focus itself.
 */
export function SkipLink() {
  return (
    <a class="skip-link" href="#main" ref={(link) => link.addEventListener('click', focusMain)}>
      Skip to content
    </a>
  );
}
