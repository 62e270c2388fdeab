import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Signature } from '@hubspot/api-client';
import { describe, expect, it } from 'vitest';
import { decodeV3Uri, verifyHubSpotSignature, type SignatureInput } from '../../../connectors/hubspot/verify-signature.js';

const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const URI = 'https://www.example.com/webhook_uri';
// The fixture file ends with a newline added when saving; HubSpot signed the 207 bytes without it.
const V1_BODY = readFileSync(new URL('../../fixtures/hubspot/hubspot-webhook-contact-creation-signature-vector.json', import.meta.url), 'utf8').replace(/\n$/, '');
const EXAMPLE_BODY = '{"example_field":"example_value"}';
const TS = 1564113600000;

// The vector and tampering tests accept every version; the default (v3 only) has its own tests below.
function input(over: Partial<SignatureInput>): SignatureInput {
  return { method: 'POST', url: URI, rawBody: Buffer.from(EXAMPLE_BODY), headers: {}, clientSecret: SECRET, nowMs: TS, accept: ['v3', 'v2', 'v1'], ...over };
}

function v3(method: string, url: string, body: string, ts: number, secret = SECRET): string {
  return createHmac('sha256', secret).update(method + url + body + String(ts)).digest('base64');
}

describe('verifyHubSpotSignature: official vectors (FACTS 1b)', () => {
  it('v1: sha256(secret + body) of the SDK/docs contact.creation example', () => {
    expect(Buffer.byteLength(V1_BODY)).toBe(207);
    const r = verifyHubSpotSignature(
      input({
        rawBody: Buffer.from(V1_BODY),
        headers: {
          'x-hubspot-signature': '232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de',
          'x-hubspot-signature-version': 'v1',
        },
      }),
    );
    expect(r).toEqual({ ok: true, version: 'v1' });
  });

  it('v2 GET with an empty body', () => {
    const r = verifyHubSpotSignature(
      input({
        method: 'GET',
        rawBody: Buffer.alloc(0),
        headers: {
          'x-hubspot-signature': 'eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e',
          'x-hubspot-signature-version': 'v2',
        },
      }),
    );
    expect(r).toEqual({ ok: true, version: 'v2' });
  });

  it('v2 POST with a body', () => {
    const r = verifyHubSpotSignature(
      input({
        headers: {
          'x-hubspot-signature': '9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900',
          'x-hubspot-signature-version': 'v2',
        },
      }),
    );
    expect(r).toEqual({ ok: true, version: 'v2' });
  });

  it('v3 locally computed vectors from FACTS.md', () => {
    const a = verifyHubSpotSignature(
      input({
        headers: {
          'x-hubspot-signature-v3': 'eT0ip2TKVpsIi1vb5C2Uu42eNdHL+oTE3NRZOF67O2U=',
          'x-hubspot-request-timestamp': String(TS),
        },
      }),
    );
    expect(a).toEqual({ ok: true, version: 'v3' });
    const b = verifyHubSpotSignature(
      input({
        rawBody: Buffer.from('[{"eventId":1}]'),
        headers: {
          'x-hubspot-signature-v3': 'AEMA10aqR9xcXb2nlXZor9+cwkt0dNke3bXg59HJrZ4=',
          'x-hubspot-request-timestamp': String(TS),
        },
      }),
    );
    expect(b).toEqual({ ok: true, version: 'v3' });
  });
});

describe('verifyHubSpotSignature agrees with the official SDK helper Signature.isValid', () => {
  const bodies = ['', EXAMPLE_BODY, V1_BODY, '[{"dealname":"Café — ünïcode ✓"}]'];
  for (const body of bodies) {
    for (const version of ['v1', 'v2'] as const) {
      it(`${version} over ${JSON.stringify(body).slice(0, 30)}`, () => {
        const signature = Signature.getSignature('POST', version, { signature: '', clientSecret: SECRET, requestBody: body, url: URI });
        expect(Signature.isValid({ signature, clientSecret: SECRET, requestBody: body, url: URI, method: 'POST', signatureVersion: version })).toBe(true);
        const ours = verifyHubSpotSignature(
          input({ rawBody: Buffer.from(body), headers: { 'x-hubspot-signature': signature, 'x-hubspot-signature-version': version } }),
        );
        expect(ours).toEqual({ ok: true, version });
        // and both reject the same tampering
        const bad = signature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
        expect(Signature.isValid({ signature: bad, clientSecret: SECRET, requestBody: body, url: URI, method: 'POST', signatureVersion: version })).toBe(false);
        expect(verifyHubSpotSignature(input({ rawBody: Buffer.from(body), headers: { 'x-hubspot-signature': bad, 'x-hubspot-signature-version': version } })).ok).toBe(false);
      });
    }
    it(`v3 over ${JSON.stringify(body).slice(0, 30)}`, () => {
      const now = Date.now();
      const signature = Signature.getSignature('POST', 'v3', { signature: '', clientSecret: SECRET, requestBody: body, url: URI, timestamp: now });
      expect(Signature.isValid({ signature, clientSecret: SECRET, requestBody: body, url: URI, method: 'POST', signatureVersion: 'v3', timestamp: now })).toBe(true);
      const ours = verifyHubSpotSignature(
        input({ rawBody: Buffer.from(body), nowMs: now, headers: { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': String(now) } }),
      );
      expect(ours).toEqual({ ok: true, version: 'v3' });
    });
  }
});

describe('verifyHubSpotSignature: v3 replay window', () => {
  const sig = v3('POST', URI, EXAMPLE_BODY, TS);
  const headers = { 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': String(TS) };

  it('accepts up to 5 minutes old, rejects older as stale', () => {
    expect(verifyHubSpotSignature(input({ headers, nowMs: TS + 300_000 })).ok).toBe(true);
    expect(verifyHubSpotSignature(input({ headers, nowMs: TS + 300_001 }))).toEqual({ ok: false, reason: 'stale timestamp' });
  });

  it('rejects a timestamp more than 5 minutes in the future', () => {
    expect(verifyHubSpotSignature(input({ headers, nowMs: TS - 300_000 })).ok).toBe(true);
    expect(verifyHubSpotSignature(input({ headers, nowMs: TS - 300_001 }))).toEqual({ ok: false, reason: 'timestamp in the future' });
  });

  it('rejects a missing or non-numeric timestamp when the v3 signature is present', () => {
    expect(verifyHubSpotSignature(input({ headers: { 'x-hubspot-signature-v3': sig } }))).toEqual({
      ok: false,
      reason: 'missing or invalid timestamp',
    });
    expect(
      verifyHubSpotSignature(input({ headers: { 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': '1564113600000abc' } })).ok,
    ).toBe(false);
  });

  it('a replayed request with a fresh timestamp header does not verify (timestamp is signed)', () => {
    const r = verifyHubSpotSignature(
      input({ headers: { 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': String(TS + 60_000) }, nowMs: TS + 60_000 }),
    );
    expect(r).toEqual({ ok: false, reason: 'signature mismatch' });
  });

  it('prefers v3 over v1/v2 when both are present: a valid v2 cannot rescue a stale v3', () => {
    const r = verifyHubSpotSignature(
      input({
        nowMs: TS + 3_600_000,
        headers: {
          ...headers,
          'x-hubspot-signature': '9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900',
          'x-hubspot-signature-version': 'v2',
        },
      }),
    );
    expect(r).toEqual({ ok: false, reason: 'stale timestamp' });
  });
});

describe('verifyHubSpotSignature: timestamp-less versions only where the operator enabled them', () => {
  const v1 = { 'x-hubspot-signature': '232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de', 'x-hubspot-signature-version': 'v1' };
  const v2 = { 'x-hubspot-signature': '9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900', 'x-hubspot-signature-version': 'v2' };

  it('by default (v3 only) a valid v1 or v2 signature is refused, naming the version and the setting', () => {
    expect(verifyHubSpotSignature(input({ accept: undefined, rawBody: Buffer.from(V1_BODY), headers: v1 }))).toEqual({
      ok: false,
      reason: 'v1 signature rejected: only v3 accepted (HUBSPOT_SIGNATURE_VERSIONS)',
    });
    // No version header means v1 (as the SDK reads it): refused the same way.
    expect(verifyHubSpotSignature(input({ accept: undefined, rawBody: Buffer.from(V1_BODY), headers: { 'x-hubspot-signature': v1['x-hubspot-signature'] } })).ok).toBe(false);
    expect(verifyHubSpotSignature(input({ accept: ['v3'], headers: v2 }))).toEqual({
      ok: false,
      reason: 'v2 signature rejected: only v3 accepted (HUBSPOT_SIGNATURE_VERSIONS)',
    });
  });

  it('enabling v2 (workflow webhooks) accepts v2 and still refuses v1', () => {
    expect(verifyHubSpotSignature(input({ accept: ['v3', 'v2'], headers: v2 }))).toEqual({ ok: true, version: 'v2' });
    expect(verifyHubSpotSignature(input({ accept: ['v3', 'v2'], rawBody: Buffer.from(V1_BODY), headers: v1 }))).toEqual({
      ok: false,
      reason: 'v1 signature rejected: only v3, v2 accepted (HUBSPOT_SIGNATURE_VERSIONS)',
    });
  });

  it('v3 is checked whatever is enabled, and a request carrying v3 headers is judged by v3 alone', () => {
    const sig = v3('POST', URI, EXAMPLE_BODY, TS);
    expect(verifyHubSpotSignature(input({ accept: undefined, headers: { 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': String(TS) } }))).toEqual({ ok: true, version: 'v3' });
    // A captured v1+v3 request replayed a year later: the stale v3 decides, the valid v1 beside it cannot rescue it.
    const yearLater = TS + 365 * 86_400_000;
    expect(
      verifyHubSpotSignature(input({ accept: ['v3', 'v2', 'v1'], nowMs: yearLater, headers: { 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': String(TS), ...v2 } })),
    ).toEqual({ ok: false, reason: 'stale timestamp' });
  });
});

describe('verifyHubSpotSignature: rejections', () => {
  const sig = v3('POST', URI, EXAMPLE_BODY, TS);
  const headers = { 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': String(TS) };

  it('tampered body (one byte) fails for every version', () => {
    const tampered = Buffer.from(EXAMPLE_BODY.replace('value', 'valuf'));
    expect(verifyHubSpotSignature(input({ headers, rawBody: tampered }))).toEqual({ ok: false, reason: 'signature mismatch' });
    expect(
      verifyHubSpotSignature(
        input({
          rawBody: tampered,
          headers: {
            'x-hubspot-signature': '9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900',
            'x-hubspot-signature-version': 'v2',
          },
        }),
      ).ok,
    ).toBe(false);
  });

  it('wrong secret fails', () => {
    expect(verifyHubSpotSignature(input({ headers, clientSecret: 'not-the-secret' }))).toEqual({ ok: false, reason: 'signature mismatch' });
  });

  it('v2/v3 sign the URL: another path or method fails', () => {
    expect(verifyHubSpotSignature(input({ headers, url: 'https://www.example.com/other' })).ok).toBe(false);
    expect(verifyHubSpotSignature(input({ headers, method: 'PUT' })).ok).toBe(false);
  });

  it('missing signature, empty secret, unknown version, and wrong-length signatures fail without throwing', () => {
    expect(verifyHubSpotSignature(input({ headers: {} }))).toEqual({ ok: false, reason: 'missing signature' });
    expect(verifyHubSpotSignature(input({ headers, clientSecret: '' }))).toEqual({ ok: false, reason: 'no client secret configured' });
    expect(verifyHubSpotSignature(input({ headers: { 'x-hubspot-signature': 'abc', 'x-hubspot-signature-version': 'v9' } }))).toEqual({
      ok: false,
      reason: 'unsupported signature version',
    });
    expect(verifyHubSpotSignature(input({ headers: { ...headers, 'x-hubspot-signature-v3': 'short' } }))).toEqual({
      ok: false,
      reason: 'signature mismatch',
    });
    expect(verifyHubSpotSignature(input({ headers: { ...headers, 'x-hubspot-signature-v3': `${sig}AAAA` } })).ok).toBe(false);
    // multibyte characters: same char count, different byte length
    expect(verifyHubSpotSignature(input({ headers: { ...headers, 'x-hubspot-signature-v3': 'é'.repeat(44) } })).ok).toBe(false);
  });

  it('v1/v2 hex with trailing junk does not verify', () => {
    const good = '9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900';
    expect(
      verifyHubSpotSignature(input({ headers: { 'x-hubspot-signature': `${good}zz`, 'x-hubspot-signature-version': 'v2' } })).ok,
    ).toBe(false);
    // upper-case hex is the same digest
    expect(
      verifyHubSpotSignature(input({ headers: { 'x-hubspot-signature': good.toUpperCase(), 'x-hubspot-signature-version': 'V2' } })),
    ).toEqual({ ok: true, version: 'v2' });
  });
});

describe('verifyHubSpotSignature: URL and header details', () => {
  it('v3 decodes the listed percent-encodings before signing', () => {
    const called = 'https://baton.example.com/webhooks/hubspot%3Aportal%2F1?x=%40a%21%24%27%28%29%2A%2C%3B';
    const signedAs = "https://baton.example.com/webhooks/hubspot:portal/1?x=@a!$'()*,;";
    expect(decodeV3Uri(called)).toBe(signedAs);
    const sig = v3('POST', signedAs, EXAMPLE_BODY, TS);
    const headers = { 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': String(TS) };
    expect(verifyHubSpotSignature(input({ url: called, headers }))).toEqual({ ok: true, version: 'v3' });
  });

  it('v3 leaves unlisted escapes (%20, %26, %3D) encoded, and decodes lower-case hex too', () => {
    expect(decodeV3Uri('https://h/p%20q?a=%26%3d&b=%3a')).toBe('https://h/p%20q?a=%26%3d&b=:');
    const url = 'https://h/p%20q';
    const sigEncoded = v3('POST', url, EXAMPLE_BODY, TS);
    expect(
      verifyHubSpotSignature(input({ url, headers: { 'x-hubspot-signature-v3': sigEncoded, 'x-hubspot-request-timestamp': String(TS) } })).ok,
    ).toBe(true);
    const sigDecoded = v3('POST', 'https://h/p q', EXAMPLE_BODY, TS);
    expect(
      verifyHubSpotSignature(input({ url, headers: { 'x-hubspot-signature-v3': sigDecoded, 'x-hubspot-request-timestamp': String(TS) } })).ok,
    ).toBe(false);
  });

  it('header names are matched case-insensitively (docs spell X-HubSpot-Signature-V3) and arrays take the first value', () => {
    const sig = v3('POST', URI, EXAMPLE_BODY, TS);
    expect(
      verifyHubSpotSignature(input({ headers: { 'X-HubSpot-Signature-V3': sig, 'X-HubSpot-Request-Timestamp': String(TS) } })),
    ).toEqual({ ok: true, version: 'v3' });
    expect(
      verifyHubSpotSignature(input({ headers: { 'x-hubspot-signature-v3': [sig, 'other'], 'x-hubspot-request-timestamp': [String(TS)] } })),
    ).toEqual({ ok: true, version: 'v3' });
  });

  it('verifies over the raw bytes: a re-serialised body with the same JSON meaning fails', () => {
    const sig = v3('POST', URI, EXAMPLE_BODY, TS);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(EXAMPLE_BODY), null, 1));
    expect(
      verifyHubSpotSignature(input({ rawBody: reserialised, headers: { 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': String(TS) } })).ok,
    ).toBe(false);
  });
});
