/**
 * CSRF protection of the OAuth installs. An install starts from the admin page with a ticket (signed,
 * two minutes, single use) that only a signed-in admin can get. The install route then sends the browser
 * to the CRM's consent page with a `state` that is signed (HMAC-SHA256), expires after ten minutes, is
 * used once, and is bound to the browser that started the flow: the browser's HttpOnly cookie holds a
 * random nonce, and the state carries only an HMAC of it, so the state URL (in a proxy log, a referrer, a
 * shared screen) cannot be turned into the cookie. A state is used up only once its cookie matched, so a
 * stranger's failed attempt does not lock the right browser out. The key is derived from ENCRYPTION_KEY,
 * so any replica can check what another one issued.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { CrmName } from '../../../connectors/contract/index.ts';
import { HttpError } from '../errors.ts';

const payloadSchema = z.object({
  purpose: z.enum(['ticket', 'state']),
  crm: z.string().min(1),
  /** Random: what marks the ticket or state as used. */
  id: z.string().min(16),
  /** States only: HMAC of the cookie's nonce (the nonce itself is never in the URL). */
  binding: z.string().optional(),
  exp: z.number(),
});
type Payload = z.infer<typeof payloadSchema>;

export const TICKET_TTL_MS = 2 * 60_000;
export const STATE_TTL_MS = 10 * 60_000;

const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export class OAuthStates {
  private readonly key: Buffer;
  private readonly clock: () => number;
  /** Ids of tickets and states already used, until they would have expired anyway. */
  private readonly used = new Map<string, number>();

  constructor(options: { secret: string | null; clock?: () => number }) {
    const secret = options.secret ?? randomBytes(32).toString('hex');
    this.key = Buffer.from(hkdfSync('sha256', secret, 'lifecycle-sync', 'oauth state v1', 32));
    this.clock = options.clock ?? Date.now;
  }

  private sign(payload: Payload): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.mac(`payload:${body}`)}`;
  }

  private mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }

  /** The payload if `token` is ours, unexpired, unused and for this purpose and CRM; else a 400 naming why. Does not use it up. */
  private open(token: string, purpose: Payload['purpose'], crm: CrmName): Payload {
    const [body, mac] = token.split('.');
    if (!body || !mac || !sameText(this.mac(`payload:${body}`), mac)) {
      throw new HttpError(400, 'INVALID_STATE', `the ${purpose} is not one this server issued`);
    }
    const parsed = payloadSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    if (!parsed.success || parsed.data.purpose !== purpose || parsed.data.crm !== crm) throw new HttpError(400, 'INVALID_STATE', `the ${purpose} is not for this ${crm} install`);
    const now = this.clock();
    if (now >= parsed.data.exp) throw new HttpError(400, 'INVALID_STATE', `the ${purpose} has expired: start the install again from the admin page`);
    for (const [id, exp] of this.used) if (exp <= now) this.used.delete(id);
    if (this.used.has(parsed.data.id)) throw new HttpError(400, 'INVALID_STATE', `the ${purpose} was already used: start the install again from the admin page`);
    return parsed.data;
  }

  private useUp(payload: Payload): void {
    this.used.set(payload.id, payload.exp);
  }

  private binding(nonce: string): string {
    return this.mac(`cookie:${nonce}`);
  }

  issueTicket(crm: CrmName): string {
    return this.sign({ purpose: 'ticket', crm, id: randomBytes(16).toString('base64url'), exp: this.clock() + TICKET_TTL_MS });
  }

  redeemTicket(ticket: string, crm: CrmName): void {
    this.useUp(this.open(ticket, 'ticket', crm));
  }

  /** A state for the consent page and the nonce for the browser's cookie (only its HMAC is in the state). */
  issueState(crm: CrmName): { state: string; nonce: string } {
    const nonce = randomBytes(32).toString('base64url');
    const state = this.sign({ purpose: 'state', crm, id: randomBytes(16).toString('base64url'), binding: this.binding(nonce), exp: this.clock() + STATE_TTL_MS });
    return { state, nonce };
  }

  /** Checks the state the CRM sent back against the browser's cookie, then uses it up; returns the nonce. */
  verifyState(state: string, crm: CrmName, cookieNonce: string | undefined): string {
    const payload = this.open(state, 'state', crm);
    if (!cookieNonce || !payload.binding || !sameText(this.binding(cookieNonce), payload.binding)) {
      throw new HttpError(400, 'INVALID_STATE', 'the install was started in another browser (or its cookie is gone): start it again from the admin page');
    }
    this.useUp(payload);
    return cookieNonce;
  }

  /** The PKCE code verifier of a flow: derived from its nonce (only the browser's cookie holds it), so nothing needs storing. */
  codeVerifier(nonce: string): string {
    return createHmac('sha256', this.key).update(`pkce:${nonce}`).digest('base64url');
  }
}
