/**
 * CSRF protection of the OAuth installs. An install starts from the admin page with a ticket (signed,
 * two minutes, single use) that only a signed-in admin can get. The install route then sends the browser
 * to the CRM's consent page with a `state` that is signed (HMAC-SHA256), expires after ten minutes, is
 * used once, and is bound to the browser that started the flow by a nonce in an HttpOnly cookie. The key
 * is derived from ENCRYPTION_KEY, so any replica can check what another one issued.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { CrmName } from '../../../connectors/types.ts';
import { HttpError } from '../errors.ts';

const payloadSchema = z.object({ purpose: z.enum(['ticket', 'state']), crm: z.enum(['hubspot', 'salesforce']), nonce: z.string().min(16), exp: z.number() });
type Payload = z.infer<typeof payloadSchema>;

export const TICKET_TTL_MS = 2 * 60_000;
export const STATE_TTL_MS = 10 * 60_000;

export class OAuthStates {
  private readonly key: Buffer;
  private readonly clock: () => number;
  /** Nonces already used, until they would have expired anyway. */
  private readonly used = new Map<string, number>();

  constructor(options: { secret: string | null; clock?: () => number }) {
    const secret = options.secret ?? randomBytes(32).toString('hex');
    this.key = Buffer.from(hkdfSync('sha256', secret, 'lifecycle-sync', 'oauth state v1', 32));
    this.clock = options.clock ?? Date.now;
  }

  private sign(payload: Payload): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }

  /** The payload if `token` is ours, unexpired, unused and for this purpose and CRM; else a 400 naming why. */
  private open(token: string, purpose: Payload['purpose'], crm: CrmName): Payload {
    const [body, mac] = token.split('.');
    const expected = body ? Buffer.from(this.mac(body)) : null;
    if (!body || !mac || !expected || expected.length !== Buffer.byteLength(mac) || !timingSafeEqual(expected, Buffer.from(mac))) {
      throw new HttpError(400, 'INVALID_STATE', `the ${purpose} is not one this server issued`);
    }
    const parsed = payloadSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    if (!parsed.success || parsed.data.purpose !== purpose || parsed.data.crm !== crm) throw new HttpError(400, 'INVALID_STATE', `the ${purpose} is not for this ${crm} install`);
    const now = this.clock();
    if (now >= parsed.data.exp) throw new HttpError(400, 'INVALID_STATE', `the ${purpose} has expired: start the install again from the admin page`);
    for (const [nonce, exp] of this.used) if (exp <= now) this.used.delete(nonce);
    if (this.used.has(parsed.data.nonce)) throw new HttpError(400, 'INVALID_STATE', `the ${purpose} was already used: start the install again from the admin page`);
    this.used.set(parsed.data.nonce, parsed.data.exp);
    return parsed.data;
  }

  issueTicket(crm: CrmName): string {
    return this.sign({ purpose: 'ticket', crm, nonce: randomBytes(16).toString('base64url'), exp: this.clock() + TICKET_TTL_MS });
  }

  redeemTicket(ticket: string, crm: CrmName): void {
    this.open(ticket, 'ticket', crm);
  }

  /** A state for the consent page and the nonce for the browser's cookie. */
  issueState(crm: CrmName): { state: string; nonce: string } {
    const nonce = randomBytes(16).toString('base64url');
    return { state: this.sign({ purpose: 'state', crm, nonce, exp: this.clock() + STATE_TTL_MS }), nonce };
  }

  /** Checks the state the CRM sent back against the browser's cookie; returns its nonce. */
  verifyState(state: string, crm: CrmName, cookieNonce: string | undefined): string {
    const payload = this.open(state, 'state', crm);
    if (!cookieNonce || cookieNonce !== payload.nonce) {
      throw new HttpError(400, 'INVALID_STATE', 'the install was started in another browser (or its cookie is gone): start it again from the admin page');
    }
    return payload.nonce;
  }

  /** The PKCE code verifier of a flow: derived from its nonce, so nothing needs storing. */
  codeVerifier(nonce: string): string {
    return createHmac('sha256', this.key).update(`pkce:${nonce}`).digest('base64url');
  }
}
