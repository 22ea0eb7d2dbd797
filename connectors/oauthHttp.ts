/** What the connectors' OAuth installs share: the PKCE challenge, the form POST, error answers as one line. */
import { createHash } from 'node:crypto';
import { upstreamText } from './contract/index.ts';

export function codeChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/**
 * An OAuth error answer (RFC 6749 §5.2 and the CRMs' variants) as one line: its text cut short, with
 * the secrets the request sent (`sent`: client secret, code, verifier) and token shapes masked.
 */
export function describeOAuthError(body: unknown, status: number, sent: string[]): string {
  if (body !== null && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const text = [b.error, b.error_description ?? b.message].filter((v) => typeof v === 'string' && v !== '').join(': ');
    if (text) return `${upstreamText(text, sent)} (HTTP ${status})`;
  }
  return `HTTP ${status}`;
}

export async function postForm(url: string, form: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    body = null;
  }
  return { status: response.status, body };
}
