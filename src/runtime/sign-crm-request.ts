// The demo (src/demo) plays the CRM: it signs its webhooks exactly as HubSpot does
// (connectors/hubspot/sign-request.ts), so Baton's own verifier is what accepts or refuses them.
import { signHubSpotRequest, type SignRequestInput } from '../../connectors/hubspot/sign-request.js';

export type { SignRequestInput } from '../../connectors/hubspot/sign-request.js';

/** Headers (lower-case names) the CRM would send with this request. */
export function signCrmRequest(i: SignRequestInput): Record<string, string> {
  return signHubSpotRequest(i);
}
