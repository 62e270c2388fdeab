// HubSpot request signatures v1 / v2 / v3 (FACTS 1b), checked over the raw body bytes in constant time.
// Hot path (~750 requests/s): hashes are fed incrementally so the body is never copied or re-encoded.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureVersion = 'v1' | 'v2' | 'v3';
export type SignatureCheck = { ok: true; version: SignatureVersion } | { ok: false; reason: string };

/**
 * v3 is the only version with a timestamp, so the only one with a replay window. v1 (app webhooks, sent
 * beside v3) and v2 (workflow "Send a webhook") can be replayed forever once captured: accepted only when
 * the operator lists them in HUBSPOT_SIGNATURE_VERSIONS.
 */
export const DEFAULT_SIGNATURE_VERSIONS: readonly SignatureVersion[] = ['v3'];

export interface SignatureInput {
  method: string;
  /** The public URL HubSpot called (BATON_PUBLIC_URL + path + query): never built from Host headers. */
  url: string;
  rawBody: Buffer;
  /** Header names as Node gives them (lower-cased); other casings are tolerated. */
  headers: Record<string, string | string[] | undefined>;
  clientSecret: string;
  nowMs: number;
  /** Versions the operator accepts (HUBSPOT_SIGNATURE_VERSIONS); v3 is always among them. */
  accept?: readonly SignatureVersion[];
}

/** HubSpot's v3 replay window (the SDK's MAX_ALLOWED_TIMESTAMP); applied both ways so a skewed clock can't pre-sign. */
export const MAX_TIMESTAMP_SKEW_MS = 5 * 60 * 1000;

const H_V3 = 'x-hubspot-signature-v3';
const H_TS = 'x-hubspot-request-timestamp';
const H_SIG = 'x-hubspot-signature';
const H_VERSION = 'x-hubspot-signature-version';

export function verifyHubSpotSignature(input: SignatureInput): SignatureCheck {
  if (!input.clientSecret) return fail('no client secret configured');
  const { headers } = input;
  const v3 = header(headers, H_V3);
  const ts = header(headers, H_TS);
  // v3 wins whenever HubSpot sent it: it is the only version with a replay window.
  if (v3 !== undefined || ts !== undefined) return checkV3(input, v3, ts);

  const sig = header(headers, H_SIG);
  if (sig === undefined || sig === '') return fail('missing signature');
  // The SDK defaults to v1 when no version header is sent.
  const version = (header(headers, H_VERSION) ?? 'v1').trim().toLowerCase();
  const accept = input.accept ?? DEFAULT_SIGNATURE_VERSIONS;
  if ((version === 'v1' || version === 'v2') && !accept.includes(version)) {
    // Checked before the hash: without a timestamp, a valid old signature is exactly what a replay carries.
    return fail(`${version} signature rejected: only ${accept.join(', ')} accepted (HUBSPOT_SIGNATURE_VERSIONS)`);
  }
  if (version === 'v1') {
    const expected = createHash('sha256').update(input.clientSecret).update(input.rawBody).digest('hex');
    return safeEqual(sig.toLowerCase(), expected) ? { ok: true, version: 'v1' } : fail('signature mismatch');
  }
  if (version === 'v2') {
    const expected = createHash('sha256')
      .update(input.clientSecret)
      .update(input.method.toUpperCase())
      .update(input.url)
      .update(input.rawBody)
      .digest('hex');
    return safeEqual(sig.toLowerCase(), expected) ? { ok: true, version: 'v2' } : fail('signature mismatch');
  }
  return fail('unsupported signature version');
}

function checkV3(input: SignatureInput, sig: string | undefined, ts: string | undefined): SignatureCheck {
  if (sig === undefined || sig === '') return fail('missing signature');
  if (ts === undefined || !/^\d{1,16}$/.test(ts)) return fail('missing or invalid timestamp');
  const tsMs = Number(ts);
  if (input.nowMs - tsMs > MAX_TIMESTAMP_SKEW_MS) return fail('stale timestamp');
  if (tsMs - input.nowMs > MAX_TIMESTAMP_SKEW_MS) return fail('timestamp in the future');
  const expected = createHmac('sha256', input.clientSecret)
    .update(input.method.toUpperCase())
    .update(decodeV3Uri(input.url))
    .update(input.rawBody)
    .update(ts)
    .digest('base64');
  return safeEqual(sig, expected) ? { ok: true, version: 'v3' } : fail('signature mismatch');
}

// Exactly the escapes HubSpot lists for v3 (FACTS 1b); everything else (%20, %26, %3D…) stays encoded.
const V3_DECODE: Record<string, string> = {
  '3A': ':', '2F': '/', '3F': '?', '40': '@', '21': '!', '24': '$',
  '27': "'", '28': '(', '29': ')', '2A': '*', '2C': ',', '3B': ';',
};
const V3_ESCAPES = /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi;

/** The URI as HubSpot signs it for v3: the listed percent-encodings decoded. */
export function decodeV3Uri(url: string): string {
  if (!url.includes('%')) return url;
  return url.replace(V3_ESCAPES, (_m, hex: string) => V3_DECODE[hex.toUpperCase()] ?? _m);
}

function header(headers: SignatureInput['headers'], name: string): string | undefined {
  let v = headers[name];
  if (v === undefined) {
    // Node lower-cases names; other callers (tests, proxies' raw maps) may not.
    for (const key in headers) {
      if (key.length === name.length && key.toLowerCase() === name) {
        v = headers[key];
        break;
      }
    }
  }
  return Array.isArray(v) ? v[0] : v;
}

/** Constant-time string compare; a length mismatch is a plain false, never a throw. */
function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function fail(reason: string): SignatureCheck {
  return { ok: false, reason };
}
