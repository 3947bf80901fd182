import { Index, type JSX, Show } from 'solid-js';

export interface TabItem<Id extends string> {
  id: Id;
  label: string;
  /** A number after the label (friends, pending requests); hidden when zero or unknown. */
  count?: number | undefined;
}

export interface TabsProps<Id extends string> {
  label: string;
  tabs: readonly TabItem<Id>[];
  selected: Id;
  /** `viaKeyboard` is true for the arrow keys, which flip through tabs rather than choose one. */
  onSelect: (id: Id, viaKeyboard: boolean) => void;
  /** The selected tab's content. */
  children: JSX.Element;
}

/**
 * The WAI-ARIA tabs pattern: one tab stop for the tablist, arrow keys (and Home / End) move between tabs and show
 * each at once, and the panel follows.
 * @see https://www.w3.org/WAI/ARIA/apg/patterns/tabs/
 */
export function Tabs<Id extends string>(props: TabsProps<Id>) {
  let list: HTMLDivElement | undefined;

  const onKeyDown = (event: KeyboardEvent) => {
    const ids = props.tabs.map((tab) => tab.id);
    const at = ids.indexOf(props.selected);
    const moves: Record<string, number> = {
      ArrowRight: at + 1,
      ArrowLeft: at - 1,
      Home: 0,
      End: ids.length - 1,
    };
    const to = moves[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const id = ids[(to + ids.length) % ids.length]!;
    props.onSelect(id, true);
    queueMicrotask(() => list?.querySelector<HTMLElement>(`#tab-${id}`)?.focus());
  };

  return (
    <div class="tabs">
      <div class="tablist" role="tablist" aria-label={props.label} ref={list} onKeyDown={onKeyDown}>
        <Index each={props.tabs}>
          {(tab) => {
            const selected = () => tab().id === props.selected;
            return (
              <button
                type="button"
                role="tab"
                id={`tab-${tab().id}`}
                class="tab"
                aria-selected={selected()}
                aria-controls={selected() ? `tabpanel-${tab().id}` : undefined}
                tabIndex={selected() ? 0 : -1}
                onClick={() => props.onSelect(tab().id, false)}
              >
                {tab().label}
                <Show when={tab().count}>
                  <span class="tab-count">{tab().count}</span>
                </Show>
              </button>
            );
          }}
        </Index>
      </div>
      <div
        class="tabpanel"
        role="tabpanel"
        id={`tabpanel-${props.selected}`}
        aria-labelledby={`tab-${props.selected}`}
      >
        {props.children}
      </div>
    </div>
  );
}
