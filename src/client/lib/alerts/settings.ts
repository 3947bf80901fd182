import { type Accessor, createSignal, onCleanup } from 'solid-js';

/** What the browser says about desktop notifications here; `unsupported` where there is no Notification API. */
export type Permission = NotificationPermission | 'unsupported';

export interface AlertSettings {
  /** Desktop notifications are on: the person turned them on and the browser allows them. */
  desktop: Accessor<boolean>;
  sound: Accessor<boolean>;
  permission: Accessor<Permission>;
  /** Turns desktop notifications on (asking the browser first, if it has not been asked) or off. */
  setDesktop(on: boolean): Promise<void>;
  setSound(on: boolean): void;
  /** The hint offering notifications after a first direct message: dismissed for good in this browser. */
  hintDismissed: Accessor<boolean>;
  dismissHint(): void;
}

interface Stored {
  desktop: boolean;
  sound: boolean;
  hintDismissed: boolean;
}

const initial: Stored = { desktop: false, sound: false, hintDismissed: false };

/** Per account and per browser (the permission is the browser's); kept apart from what logging out clears. */
const storageKey = (userId: number) => `parley-alerts:${userId}`;

function load(key: string): Stored {
  try {
    return { ...initial, ...(JSON.parse(localStorage.getItem(key) ?? '{}') as Partial<Stored>) };
  } catch {
    return initial; // storage off or unreadable: everything stays off
  }
}

const currentPermission = (): Permission =>
  typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;

/**
 * The person's choices about being alerted, in this browser. The permission is asked only when they turn
 * notifications on, never on load. Every tab follows a change made in another.
 */
export function createAlertSettings(userId: number): AlertSettings {
  const key = storageKey(userId);
  const [stored, setStored] = createSignal(load(key));
  const [permission, setPermission] = createSignal(currentPermission());
  const save = (change: Partial<Stored>) => {
    const next = { ...stored(), ...change };
    setStored(next);
    try {
      localStorage.setItem(key, JSON.stringify(next));
    } catch {
      // Storage off: the choice holds for this page only.
    }
  };
  const otherTab = (event: StorageEvent) => {
    if (event.key !== key) return;
    setStored(load(key));
    setPermission(currentPermission());
  };
  window.addEventListener('storage', otherTab);
  onCleanup(() => window.removeEventListener('storage', otherTab));

  return {
    desktop: () => stored().desktop && permission() === 'granted',
    sound: () => stored().sound,
    permission,
    async setDesktop(on) {
      if (on && permission() === 'default') setPermission(await Notification.requestPermission());
      save({ desktop: on && permission() === 'granted' });
    },
    setSound: (on) => save({ sound: on }),
    hintDismissed: () => stored().hintDismissed,
    dismissHint: () => save({ hintDismissed: true }),
  };
}
