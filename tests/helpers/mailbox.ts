/** A real SMTP server in the test process (the `smtp-server` package): Parley mails to it through SMTP_URL. */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { eventually } from './sockets.ts';

export interface ReceivedMail {
  to: string[];
  subject: string;
  /** The body, decoded from its transfer encoding. */
  text: string;
}

export interface Mailbox {
  /** `smtp://127.0.0.1:<port>`, for SMTP_URL. */
  url: string;
  /** Every mail to this address so far, oldest first. */
  mailsTo(address: string): ReceivedMail[];
  /** Waits for the `count`th mail to this address (1 = the first) and returns it. */
  mailTo(address: string, count?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

export async function startMailbox(): Promise<Mailbox> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase());
        received.push({ to, ...parseMessage(Buffer.concat(chunks).toString('utf8')) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const mailsTo = (address: string) => received.filter((mail) => mail.to.includes(address.toLowerCase()));
  return {
    url: `smtp://127.0.0.1:${port}`,
    mailsTo,
    mailTo: (address, count = 1) =>
      eventually(() => mailsTo(address)[count - 1], `mail number ${count} to ${address}`, 15_000),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Subject and body of a plain-text mail, the body decoded from quoted-printable or base64. */
export function parseMessage(raw: string): { subject: string; text: string } {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = head.replace(/\r?\n[ \t]+/g, ' ');
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(headers)?.[1]?.trim() ?? '';
  const body = rest.join('\n\n');
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  const text =
    encoding === 'base64'
      ? Buffer.from(body, 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? Buffer.from(
            body
              .replace(/=\r?\n/g, '')
              .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
            'latin1',
          ).toString('utf8')
        : body;
  return { subject: header('Subject'), text: text.replace(/\r\n/g, '\n') };
}

/** The reset link in a mail. */
export function resetLinkIn(mail: ReceivedMail): string {
  const link = /https?:\/\/\S+\/reset-password#token=\S+/.exec(mail.text)?.[0];
  if (!link) throw new Error(`No reset link in this mail:\n${mail.text}`);
  return link;
}

/** The token a reset link carries. */
export function tokenOf(link: string): string {
  return new URL(link).hash.replace(/^#token=/, '');
}
