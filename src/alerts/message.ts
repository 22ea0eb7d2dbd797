/**
 * An alert as people read it: a subject naming the installation and the event, and a few lines of text.
 * Every string goes through the process's redactor (src/secrets.ts), so a run message that quoted a token
 * cannot carry it into a chat channel or a mailbox.
 */
import { redactOutput } from '../secrets.ts';
import type { AlertEvent } from './events.ts';

export interface AlertMessage {
  subject: string;
  text: string;
}

export function alertMessage(event: AlertEvent): AlertMessage {
  const { installation: i } = event;
  const who = i.name === i.id ? `${i.id} (${i.crm})` : `${i.name} (${i.crm}, installation ${i.id})`;
  const subject = `Lifecycle Sync: ${who}: ${event.title}`;
  const lines = [subject, event.detail, ...(event.runId ? [`Run: ${event.runId}`] : [])];
  return { subject: redactOutput(subject), text: redactOutput(lines.join('\n')) };
}
