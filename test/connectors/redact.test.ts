/** The shared redactor: exact secrets and token shapes out of text, our own instructions left alone. */
import { describe, expect, it } from 'vitest';
import { redactSecrets, upstreamText } from '../../connectors/contract/index.ts';

describe('redactSecrets', () => {
  it('masks exact secrets (longest first) and token shapes', () => {
    const cases: [string, string[], string][] = [
      ['the key opaque-secret-123456 is wrong', ['opaque-secret-123456'], 'the key [redacted] is wrong'],
      ['abcdefgh-long and abcdefgh', ['abcdefgh', 'abcdefgh-long'], '[redacted] and [redacted]'],
      ['short abc stays', ['abc'], 'short abc stays'],
      ['Authorization: Bearer x.y.z', [], 'Authorization: [redacted]'],
      ['{"authorization":"Basic dXNlcjpwYXNz"}', [], '{"authorization":"[redacted]"}'],
      ['sent Bearer abc123', [], 'sent Bearer [redacted]'],
      ['jwt eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl here', [], 'jwt [redacted-jwt] here'],
      ['token pat-na1-1234-abcd-5678 used', [], 'token [redacted-token] used'],
      ['session 00D5g000004ABCD!AQ8AQH.x_y was', [], 'session [redacted-token] was'],
      ['grant_type=refresh_token&refresh_token=r-123&client_secret=s-456', [], 'grant_type=refresh_token&refresh_token=[redacted]&client_secret=[redacted]'],
      ['{"access_token": "at-1", "expires_in": 1800}', [], '{"access_token": "[redacted]", "expires_in": 1800}'],
      // Our own instructions name a placeholder, not a secret.
      ['send "Authorization: Bearer <ADMIN_TOKEN>"', [], 'send "Authorization: Bearer <ADMIN_TOKEN>"'],
      ['errorCode=INVALID_FIELD', [], 'errorCode=INVALID_FIELD'],
    ];
    for (const [text, secrets, expected] of cases) expect(redactSecrets(text, secrets), text).toBe(expected);
  });
});

describe('upstreamText', () => {
  it('puts text on one line and cuts it short after masking, so no part of a secret survives the cut', () => {
    const secret = 'opaque-secret-abcdefghijklmnop';
    const text = `${'x'.repeat(290)} ${secret}\n${'y'.repeat(500)}`;
    const out = upstreamText(text, [secret]);
    expect(out.length).toBe(300);
    expect(out.endsWith('…')).toBe(true);
    expect(out).not.toMatch(/opaque|\n/);
    expect(upstreamText('line one\r\n\tline two')).toBe('line one line two');
  });
});
