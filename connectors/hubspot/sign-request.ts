// Signs a request the way HubSpot does (v1/v2/v3). Used by the demo, tests, benchmarks and stand-ins
// to produce exactly what Baton's verifier must accept.
import { createHash, createHmac } from 'node:crypto';
import { decodeV3Uri } from './verify-signature.js';

export interface SignRequestInput {
  version: 'v1' | 'v2' | 'v3';
  method: string;
  /** The full URL HubSpot calls (BATON_PUBLIC_URL + path). */
  url: string;
  body: string | Buffer;
  clientSecret: string;
  /** ms since epoch; v3 only. */
  timestampMs: number;
}

/** Headers (lower-case names) HubSpot would send with this request. */
export function signHubSpotRequest(i: SignRequestInput): Record<string, string> {
  if (i.version === 'v3') {
    const ts = String(i.timestampMs);
    const sig = createHmac('sha256', i.clientSecret).update(i.method.toUpperCase()).update(decodeV3Uri(i.url)).update(i.body).update(ts).digest('base64');
    return { 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': ts };
  }
  const h = createHash('sha256').update(i.clientSecret);
  if (i.version === 'v2') h.update(i.method.toUpperCase()).update(i.url);
  const sig = h.update(i.body).digest('hex');
  return { 'x-hubspot-signature': sig, 'x-hubspot-signature-version': i.version };
}
