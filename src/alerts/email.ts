/**
 * E-mail over SMTP with nodemailer (STARTTLS when offered, or TLS from the start with `secure`). The
 * password comes from SMTP_PASSWORD only; nodemailer's own logging stays off, so the SMTP conversation
 * (AUTH included) never reaches a log.
 */
import nodemailer from 'nodemailer';
import { rememberSecrets } from '../secrets.ts';
import type { AlertChannel } from './deliver.ts';
import type { AlertMessage } from './message.ts';
import type { AlertSettings } from './settings.ts';

export function emailChannel(email: AlertSettings['email'], password: string | undefined, timeoutMs: number): AlertChannel | null {
  const { smtp, from, to } = email;
  if (to.length === 0 || smtp.host === null || from === null) return null;
  rememberSecrets(password);
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.user === null ? {} : { auth: { user: smtp.user, pass: password ?? '' } }),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
    debug: false,
  });
  return {
    name: `e-mail via ${smtp.host}:${smtp.port}`,
    async send(message: AlertMessage) {
      try {
        await transport.sendMail({ from, to, subject: message.subject, text: message.text });
      } finally {
        transport.close();
      }
    },
  };
}
