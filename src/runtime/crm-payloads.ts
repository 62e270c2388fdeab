// The CRM's webhook bodies read without a signature: a saved payload given to `baton preview` or the admin
// preview (a HubSpot workflow "Send a webhook" body carries the deal's properties).
import type { CrmDelivery, PayloadParser } from '../handoff/inbound-ports.js';
import { hubspotPayloads } from '../../connectors/hubspot/hubspot-webhook.js';

export const crmPayloads: PayloadParser<CrmDelivery> = hubspotPayloads;

/** The events a saved CRM payload carries (its signature is not checked: it is a file or text the admin gave). */
export function payloadEvents(json: unknown) {
  const parsed = crmPayloads.parse(json);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value.events;
}
