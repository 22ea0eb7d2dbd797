import { Signature } from '@hubspot/api-client';
import { describe, expect, it } from 'vitest';
import { checkSignatureV3, signatureV3, signedUri, type SignedRequest } from '../../connectors/hubspot/signature.ts';

const secret = 'c0ffee00-1111-2222-3333-444455556666';
const now = Date.UTC(2026, 11, 4, 12, 0, 0);
const request: SignedRequest = {
  method: 'POST',
  uri: 'https://lifecycle.example.com/webhooks/hubspot',
  body: JSON.stringify([{ eventId: 1, subscriptionId: 7, portalId: 62515, occurredAt: now - 2000, subscriptionType: 'deal.propertyChange', objectId: 123, propertyName: 'dealstage', propertyValue: 'closedwon' }]),
  timestamp: String(now - 1000),
};

describe('HubSpot v3 request signatures', () => {
  it('computes the digest the official SDK computes for the same request', () => {
    const sdk = Signature.getSignature('POST', 'v3', { signature: '', clientSecret: secret, requestBody: request.body, url: request.uri, timestamp: Number(request.timestamp) });
    expect(signatureV3(request, secret)).toBe(sdk);
  });

  it('accepts a fresh request signed with the secret', () => {
    expect(checkSignatureV3({ ...request, signature: signatureV3(request, secret) }, secret, now)).toEqual({ ok: true });
  });

  it('refuses a changed body, URI, method or timestamp, and another secret', () => {
    const signature = signatureV3(request, secret);
    for (const changed of [{ body: request.body.replace('closedwon', 'closedlost') }, { uri: `${request.uri}?x=1` }, { method: 'PUT' }, { timestamp: String(now - 999) }]) {
      expect(checkSignatureV3({ ...request, ...changed, signature }, secret, now)).toEqual({ ok: false, reason: 'the signature does not match' });
    }
    expect(checkSignatureV3({ ...request, signature: signatureV3(request, 'another-secret') }, secret, now).ok).toBe(false);
  });

  it('refuses requests older than five minutes, or far in the future, even when correctly signed', () => {
    const old = { ...request, timestamp: String(now - 5 * 60_000 - 1) };
    const stale = checkSignatureV3({ ...old, signature: signatureV3(old, secret) }, secret, now);
    expect(stale.ok || stale.reason).toContain('older than 5 minutes');
    const ahead = { ...request, timestamp: String(now + 10 * 60_000) };
    const future = checkSignatureV3({ ...ahead, signature: signatureV3(ahead, secret) }, secret, now);
    expect(future.ok || future.reason).toContain('future');
  });

  it('names a missing header or a malformed timestamp, never echoing the signature', () => {
    const missing = checkSignatureV3({ ...request, signature: undefined }, secret, now);
    expect(missing.ok || missing.reason).toContain('x-hubspot-signature-v3');
    const check = checkSignatureV3({ ...request, timestamp: 'yesterday', signature: 'AAAA' }, secret, now);
    expect(check.ok || check.reason).toContain('x-hubspot-request-timestamp');
    expect(JSON.stringify(check)).not.toContain('AAAA');
  });

  it('signs the URI with the documented percent-encodings decoded, and others kept', () => {
    expect(signedUri('https://x.example/hook?a=b%3Ac%2Cd%20e%2f')).toBe('https://x.example/hook?a=b:c,d%20e/');
    const encoded = { ...request, uri: 'https://x.example/card?portalId%3D1&ids=1%2C2' };
    const decoded = { ...request, uri: 'https://x.example/card?portalId%3D1&ids=1,2' };
    expect(signatureV3(encoded, secret)).toBe(signatureV3(decoded, secret));
  });
});
