// The CRM's webhook bodies read without a signature: a saved payload given to `baton preview` or the admin
// preview (a HubSpot workflow "Send a webhook" body carries the deal's properties).
import type { CrmDelivery, PayloadParser } from '../handoff/inbound-ports.js';
import { hubspotPayloads } from '../../connectors/hubspot/hubspot-webhook.js';

export const crmPayloads: PayloadParser<CrmDelivery> = hubspotPayloads;
