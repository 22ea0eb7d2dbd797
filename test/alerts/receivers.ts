/** Local receivers for alerts over the real protocols: an HTTP incoming webhook and an SMTP server. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface WebhookReceiver {
  url: string;
  /** The JSON bodies received, answered or not. */
  bodies: unknown[];
  close(): Promise<void>;
}

/** Answers the statuses given in turn (then 200 to everything). */
export async function webhookReceiver(statuses: number[] = []): Promise<WebhookReceiver> {
  const bodies: unknown[] = [];
  const queue = [...statuses];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(text) as unknown);
      const status = queue.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/services/T000/B000/hooksecret0123456789`, bodies, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface ReceivedMail {
  from: string;
  to: string[];
  /** Headers unfolded and the body's quoted-printable decoded. */
  subject: string;
  body: string;
  raw: string;
}

export interface MailReceiver {
  port: number;
  mails: ReceivedMail[];
  /** The logins tried (user, password). */
  logins: { user: string; password: string }[];
  close(): Promise<void>;
}

/** An SMTP server asking for a login (plain text: no certificate to trust in a test). */
export async function mailReceiver(login: { user: string; password: string }): Promise<MailReceiver> {
  const mails: ReceivedMail[] = [];
  const logins: MailReceiver['logins'] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push({ user: auth.username ?? '', password: auth.password ?? '' });
      if (auth.username === login.user && auth.password === login.password) callback(null, { user: auth.username });
      else callback(new Error('invalid login'));
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          ...parse(raw),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, logins, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function parse(raw: string): { subject: string; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const subject = /^Subject: (.*)$/im.exec(headers)?.[1] ?? '';
  const qp = /content-transfer-encoding: quoted-printable/i.test(headers);
  const body = raw.slice(split + 4);
  return { subject, body: qp ? body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : body };
}
