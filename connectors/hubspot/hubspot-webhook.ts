// The CrmWebhook port (src/handoff/inbound-ports.ts) for HubSpot: the request signature (verify-signature.ts,
// v3 always, v1/v2 only when HUBSPOT_SIGNATURE_VERSIONS lists them), then the body normalised into CrmEvents
// (parse-webhook.ts).
import type { CrmDelivery, CrmWebhook, PayloadParser } from '../../src/handoff/inbound-ports.js';
import { parseHubSpotWebhook, WebhookShapeError } from './parse-webhook.js';
import { verifyHubSpotSignature, type SignatureVersion } from './verify-signature.js';

export interface HubSpotWebhookOptions {
  /** HUBSPOT_CLIENT_SECRET: the app's client secret, which signs every delivery. */
  clientSecret: string;
  /** Versions the operator accepts; v3 only by default. */
  signatureVersions?: readonly SignatureVersion[];
}

/** HubSpot's webhook bodies, read without a signature too (a saved workflow payload given to a preview). */
export const hubspotPayloads: PayloadParser<CrmDelivery> = {
  parse(body) {
    try {
      const { events, ignored } = parseHubSpotWebhook(body);
      return { ok: true, value: { events, ignored } };
    } catch (e) {
      if (e instanceof WebhookShapeError) return { ok: false, error: e.message };
      throw e;
    }
  },
};

export function createHubSpotWebhook(opts: HubSpotWebhookOptions): CrmWebhook {
  return {
    verify: (req) =>
      verifyHubSpotSignature({
        method: req.method,
        url: req.url,
        rawBody: req.rawBody,
        headers: req.headers,
        clientSecret: opts.clientSecret,
        nowMs: req.nowMs,
        accept: opts.signatureVersions,
      }),
    parse: hubspotPayloads.parse,
  };
}
