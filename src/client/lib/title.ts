import { type Accessor, createContext, createEffect, createSignal, onCleanup, useContext } from 'solid-js';

/** "(3) Public room · Parley": the page's name, after the count of everything unread, as chat apps do. */
export function formatTitle(page: string | null, unread: number): string {
  const title = page ? `${page} · Parley` : 'Parley';
  return unread > 0 ? `(${unread}) ${title}` : title;
}

/** Gives the tab's title to a page's name for as long as the calling component lives. */
type ClaimTitle = (page: Accessor<string>) => void;

/** Without a provider (a signed-out visitor): the page's name alone, nothing counted. */
const titleOnly: ClaimTitle = (page) => {
  createEffect(() => {
    document.title = formatTitle(page(), 0);
  });
  onCleanup(() => {
    document.title = formatTitle(null, 0);
  });
};

const TitleContext = createContext<ClaimTitle>(titleOnly);
export const TitleProvider = TitleContext.Provider;

/**
 * The tab's title for a signed-in person: whichever page claimed it last, and `unread` in front. Call inside a
 * reactive owner; the title goes back to plain "Parley" with it.
 */
export function createTitle(unread: Accessor<number>): ClaimTitle {
  const [page, setPage] = createSignal<Accessor<string> | null>(null);
  createEffect(() => {
    document.title = formatTitle(page()?.() ?? null, unread());
  });
  onCleanup(() => {
    document.title = formatTitle(null, 0);
  });
  return (claimed) => {
    setPage(() => claimed);
    // The next page may have claimed the title already: only give back what is still ours.
    onCleanup(() => setPage((now) => (now === claimed ? null : now)));
  };
}

/** Names the current page in the tab's title, e.g. `usePageTitle(() => room.name)`. */
export function usePageTitle(page: Accessor<string>): void {
  useContext(TitleContext)(page);
}
