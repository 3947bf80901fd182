/** An avatar without a picture shows initials: letters of the name, never the marks around them. */
import { describe, expect, it } from 'vitest';
import { initials } from '../src/client/lib/initials.ts';

describe('initials', () => {
  it('takes the first letters of the first and last words', () => {
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('Grace Brewster Murray Hopper')).toBe('GH');
    expect(initials('zoë')).toBe('Z');
  });

  it('skips the marks a name holds, and keeps an emoji-only name its emoji', () => {
    expect(initials('Bob <b>Builder</b>')).toBe('BB');
    expect(initials('"Ann" (work)')).toBe('AW');
    expect(initials('🦊')).toBe('🦊');
  });
});
