/**
 * An incoming webhook: one POST of Slack-compatible JSON (`text` plus a section block), which Slack,
 * Mattermost, Rocket.Chat and Teams workflows accept. The URL is a credential (Slack's carries its
 * secret in the path): it is remembered as a secret so every log masks it, and the channel is named by
 * its host only.
 */
import { rememberSecrets } from '../secrets.ts';
import type { AlertChannel } from './deliver.ts';
import type { AlertMessage } from './message.ts';

export function webhookChannel(url: string, timeoutMs: number): AlertChannel {
  rememberSecrets(url);
  return {
    name: `webhook ${new URL(url).host}`,
    async send(message: AlertMessage) {
      const body = { text: message.text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: message.text } }] };
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      // The answer's body is not read into the error: a receiver's page may echo the request.
      await response.body?.cancel();
      if (!response.ok) throw new Error(`answered HTTP ${response.status}`);
    },
  };
}
