import type { Mail } from './mailer.ts';

export interface ResetMailDetails {
  to: string;
  username: string;
  displayName: string;
  link: string;
  validMinutes: number;
  /** Sent by an admin rather than asked for on the sign-in page. */
  byAdmin: boolean;
}

/** The reset mail, in plain text: the link, how long it works, and what to do if you did not ask. */
export function passwordResetMail(details: ResetMailDetails): Mail {
  const why = details.byAdmin
    ? `An admin of Parley sent you a link to choose a new password for your account @${details.username}.`
    : `Someone (we hope you) asked to reset the password of your Parley account @${details.username}.`;
  const text = [
    `Hello ${details.displayName},`,
    '',
    why,
    `Open this link to choose a new one. It works once, for ${details.validMinutes} minutes:`,
    '',
    details.link,
    '',
    'Choosing a new password signs you out everywhere and revokes your API tokens.',
    'If you did not ask for this, ignore this mail: your password stays as it is.',
  ].join('\n');
  return { to: details.to, subject: 'Reset your Parley password', text, link: details.link };
}
