/**
 * Sends one alert to every channel, each on its own: a channel that fails is tried again with backoff,
 * then logged and given up. Nothing here throws: an alert never fails or holds up a run.
 */
import type { Logger } from '../log.ts';
import type { AlertMessage } from './message.ts';
import type { AlertSettings } from './settings.ts';

export interface AlertChannel {
  /** For logs: no secret (a webhook's host, an SMTP server's address). */
  name: string;
  send(message: AlertMessage): Promise<void>;
}

export interface DeliveryOptions {
  retry: AlertSettings['retry'];
  log: Logger;
  /** Tests pass their own to skip the waits. */
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The channels the alert reached. */
export async function deliver(channels: readonly AlertChannel[], message: AlertMessage, o: DeliveryOptions): Promise<string[]> {
  const results = await Promise.all(channels.map(async (channel) => ((await sendWithRetries(channel, message, o)) ? channel.name : null)));
  return results.filter((name): name is string => name !== null);
}

async function sendWithRetries(channel: AlertChannel, message: AlertMessage, o: DeliveryOptions): Promise<boolean> {
  const sleep = o.sleep ?? wait;
  const { attempts, baseDelayMs, maxDelayMs } = o.retry;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await channel.send(message);
      return true;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (attempt === attempts) {
        o.log.error('an alert could not be sent; it is given up', { channel: channel.name, subject: message.subject, attempts, error: reason });
        return false;
      }
      const delayMs = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      o.log.warn('an alert could not be sent; trying again', { channel: channel.name, attempt, delayMs, error: reason });
      await sleep(delayMs);
    }
  }
  return false;
}
