/**
 * When a new message asks for the person's attention: direct messages (and, once they exist, mentions) while they
 * are not looking at that conversation; never their own words, never a muted room.
 */
import { describe, expect, it } from 'vitest';
import { type MessageAlertInput, messageAlert } from '../src/shared/alert-policy.ts';

/** A friend's direct message reaching a tab in the background, with notifications and sound turned on. */
const dmInBackground: MessageAlertInput = {
  created: true,
  fromMe: false,
  roomKind: 'private',
  mentionsMe: false,
  roomMuted: false,
  roomOpen: false,
  tabFocused: false,
  settings: { desktop: true, sound: true },
};
const alertFor = (change: Partial<MessageAlertInput>) => messageAlert({ ...dmInBackground, ...change });
const everything = { desktop: true, sound: true };
const nothing = { desktop: false, sound: false };

describe('a direct message', () => {
  it('notifies and sounds while the tab is in the background, even with that conversation open in it', () => {
    expect(alertFor({})).toEqual(everything);
    expect(alertFor({ roomOpen: true })).toEqual(everything);
  });

  it('only sounds while the person uses this tab for another conversation: the sidebar shows it', () => {
    expect(alertFor({ tabFocused: true })).toEqual({ desktop: false, sound: true });
  });

  it('does nothing while the person is looking at that conversation', () => {
    expect(alertFor({ tabFocused: true, roomOpen: true })).toEqual(nothing);
  });

  it('does nothing for the person’s own message, sent from anywhere', () => {
    expect(alertFor({ fromMe: true })).toEqual(nothing);
  });

  it('does nothing in a muted conversation, though it still counts as unread elsewhere', () => {
    expect(alertFor({ roomMuted: true })).toEqual(nothing);
    expect(alertFor({ roomMuted: true, mentionsMe: true })).toEqual(nothing);
  });

  it('does nothing for an edit or a deletion', () => {
    expect(alertFor({ created: false })).toEqual(nothing);
  });

  it('gives only what the person turned on', () => {
    expect(alertFor({ settings: { desktop: false, sound: true } })).toEqual({ desktop: false, sound: true });
    expect(alertFor({ settings: { desktop: true, sound: false } })).toEqual({ desktop: true, sound: false });
    expect(alertFor({ settings: { desktop: false, sound: false } })).toEqual(nothing);
  });
});

describe('a message in the public room', () => {
  it('stays quiet unless it mentions the person', () => {
    expect(alertFor({ roomKind: 'public' })).toEqual(nothing);
    expect(alertFor({ roomKind: 'public', mentionsMe: true })).toEqual(everything);
    expect(alertFor({ roomKind: 'public', mentionsMe: true, tabFocused: true, roomOpen: true })).toEqual(
      nothing,
    );
  });
});
