/**
 * Whether a new message should get the person's attention — a desktop notification, a sound — decided in one
 * place, with no browser in it, so it can be tested alone: a direct message, or a mention anywhere.
 */
export interface MessageAlertInput {
  /** A message newly sent (an edit or a deletion never alerts). */
  created: boolean;
  /** Written by this person, from any of their tabs or scripts. */
  fromMe: boolean;
  roomKind: 'public' | 'private';
  /** The message names this person (`@username`, resolved by the server into `Message.mentions`). */
  mentionsMe: boolean;
  /** The person muted this conversation: it counts unread, and stays quiet. */
  roomMuted: boolean;
  /** The tab the person looks at (this one, or another of theirs in front) shows that conversation. */
  roomOpen: boolean;
  /** A Parley tab of theirs is visible and has the keyboard focus: the person is looking at Parley. */
  tabFocused: boolean;
  /** What the person turned on: desktop notifications (permission granted), and a sound. */
  settings: { desktop: boolean; sound: boolean };
}

export interface MessageAlert {
  desktop: boolean;
  sound: boolean;
}

const quiet: MessageAlert = { desktop: false, sound: false };

export function messageAlert(input: MessageAlertInput): MessageAlert {
  const forMe = input.roomKind === 'private' || input.mentionsMe;
  if (!input.created || input.fromMe || input.roomMuted || !forMe) return quiet;
  const lookingAtIt = input.roomOpen && input.tabFocused;
  return {
    // A tab in front shows the message (or its badge) already: the desktop is for a tab in the background.
    desktop: input.settings.desktop && !input.tabFocused,
    sound: input.settings.sound && !lookingAtIt,
  };
}
