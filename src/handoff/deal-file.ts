// A deal for a preview (`baton preview --deal FILE`, the admin page's pasted JSON): a saved CrmDeal as it
// is, or a CRM webhook payload carrying the deal's properties. The CRM's own parser reads the payload; it
// is passed in, so this stays CRM-neutral and both the CLI and the dashboard can use it.
import type { CrmDeal, CrmEvent } from './ports.js';

/** A CRM's webhook parser: the events a payload carries (HubSpot: connectors/hubspot/parse-webhook.ts). */
export type PayloadEvents = (payload: unknown) => readonly CrmEvent[];

/** A saved CrmDeal, or a HubSpot workflow-webhook payload carrying the deal's properties. */
export function readDealFile(json: unknown, eventsOf: PayloadEvents): CrmDeal {
  if (json && typeof json === 'object' && 'crm' in json && 'properties' in json && 'id' in json) return json as CrmDeal;
  const event = eventsOf(json).find((e) => e.snapshot);
  if (!event) throw new Error('expected a deal (CrmDeal JSON) or a HubSpot workflow webhook payload with properties');
  return dealFromSnapshot(event);
}

/** A deal built only from what a payload carried: no company/contacts/owner records, so those fields show as missing. */
export function dealFromSnapshot(event: CrmEvent): CrmDeal {
  const s = event.snapshot!;
  return {
    crm: event.crm,
    accountId: event.accountId,
    id: event.dealId,
    properties: s.properties,
    pipelineId: s.pipelineId,
    stageId: s.stageId,
    url: null,
    archived: false,
    company: null,
    contacts: [],
    owner: null,
  };
}
