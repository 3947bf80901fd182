import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';

export interface Mail {
  to: string;
  subject: string;
  /** Plain text only: nothing a person typed (a display name) can become markup in a mail reader. */
  text: string;
  /** The link the mail is about, logged when mails are kept instead of sent (SMTP_URL unset). */
  link?: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

/** How many mails the data folder keeps when there is no SMTP server: the newest, for whoever runs it locally. */
export const keptMails = 20;

/** Through `SMTP_URL` when set; otherwise each mail is logged and written to `<data folder>/mail/`. */
export function createMailer(config: Config, log: Logger): Mailer {
  const { smtpUrl, from } = config.mail;
  warnAboutLocalMail(config, log);
  return smtpUrl ? smtpMailer(smtpUrl, from) : mailFolder(path.join(config.dataDir, 'mail'), from, log);
}

/** Fine on a laptop; in production it means reset links end up in the log, or point at localhost. */
function warnAboutLocalMail(config: Config, log: Logger): void {
  if (!config.production) return;
  if (!config.mail.smtpUrl) {
    log.warn(
      'SMTP_URL is unset: password-reset mails are not sent, only logged (links included) and kept on disk',
    );
  }
  if (!config.publicUrl)
    log.warn('PUBLIC_URL is unset: links in mails point at this machine’s local address');
}

function smtpMailer(url: string, from: string): Mailer {
  // A mail server that does not answer must not hold a request (or a shutdown) for nodemailer's default 2 minutes.
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send({ to, subject, text }) {
      await transport.sendMail({ from, to, subject, text });
    },
    close: () => transport.close(),
  };
}

/** The two-command set-up has no mail server: the link goes to the log, the whole mail to a `.eml` file. */
function mailFolder(folder: string, from: string, log: Logger): Mailer {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send({ to, subject, text, link }) {
      const { message } = await composer.sendMail({ from, to, subject, text });
      // Reset links are secrets: the folder is for its owner only.
      await mkdir(folder, { recursive: true, mode: 0o700 });
      const file = path.join(
        folder,
        `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomSuffix()}.eml`,
      );
      await writeFile(file, message, { mode: 0o600 });
      await forgetOldMails(folder);
      log.info('Mail kept, not sent (SMTP_URL is unset)', { to, subject, link, file });
    },
    close: () => composer.close(),
  };
}

const randomSuffix = () => Math.random().toString(36).slice(2, 8);

async function forgetOldMails(folder: string): Promise<void> {
  const mails = (await readdir(folder)).filter((name) => name.endsWith('.eml')).sort();
  await Promise.all(mails.slice(0, -keptMails).map((name) => rm(path.join(folder, name), { force: true })));
}
