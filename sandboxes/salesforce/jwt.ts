/**
 * The JWT bearer flow's assertion (S5): an RS256-signed JWT whose `iss` is the connected app's consumer
 * key, `sub` the username, `aud` the login URL and `exp` the expiry in epoch seconds. Verified with the
 * certificate (or public key) uploaded to the connected app.
 */
import { X509Certificate, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';

const header = z.object({ alg: z.string() }).loose();
const claims = z.object({
  iss: z.string(),
  sub: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number(),
}).loose();

export type JwtClaims = z.output<typeof claims>;

/** Why an assertion was refused, as the token endpoint reports it. */
export class AssertionError extends Error {
  readonly error: string;

  constructor(error: string, description: string) {
    super(description);
    this.error = error;
  }
}

export function publicKeyOf(pem: string): KeyObject {
  return pem.includes('BEGIN CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem);
}

function decodePart(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The claims, unverified: the issuer says which key to verify with. */
export function readAssertion(assertion: string): { claims: JwtClaims; signed: string; signature: Buffer } {
  const parts = assertion.split('.');
  if (parts.length !== 3) throw new AssertionError('invalid_grant', 'invalid assertion');
  const h = header.safeParse(decodePart(parts[0]));
  const c = claims.safeParse(decodePart(parts[1]));
  if (!h.success || !c.success) throw new AssertionError('invalid_grant', 'invalid assertion');
  if (h.data.alg !== 'RS256') throw new AssertionError('invalid_grant', 'invalid assertion');
  return { claims: c.data, signed: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], 'base64url') };
}

export function verifySignature(signed: string, signature: Buffer, key: KeyObject): boolean {
  try {
    return verify('RSA-SHA256', Buffer.from(signed), key, signature);
  } catch {
    return false;
  }
}
