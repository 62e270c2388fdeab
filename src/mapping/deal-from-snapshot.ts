// A deal built only from what a webhook payload carried (HubSpot workflow webhooks send the deal's
// properties): the route worker's last resort in dry-run without a sample, and `baton preview`'s reading
// of a saved payload.
import type { CrmDeal, CrmEvent } from '../handoff/ports.js';

/** No company/contacts/owner records, so those fields show as missing. The event must carry a snapshot. */
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
