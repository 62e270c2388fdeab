// Webhooks are thin: the route worker re-reads the deal. Live CRM first; without credentials, a saved
// sample deal, else the properties the payload itself carried (workflow webhooks).
import type { CrmDeal, CrmEvent } from '../connectors/types.js';
import type { JobDeps } from './job-deps.js';
import { referencedProperties } from '../src/mapping/trigger.js';

export async function readDeal(deps: JobDeps, event: CrmEvent): Promise<{ deal: CrmDeal | null; source: string }> {
  if (deps.crm.mode === 'live') {
    const want = referencedProperties(deps.mappings().map((m) => m.mapping));
    const deal = await deps.crm.getDeal(event.dealId, { dealProperties: want.deal, companyProperties: want.company, contactProperties: want.contact });
    return { deal, source: 'crm' };
  }
  if (deps.sampleCrm) {
    const deal = await deps.sampleCrm.getDeal(event.dealId);
    if (deal) return { deal, source: 'sample' };
  }
  if (event.snapshot) return { deal: dealFromSnapshot(event), source: 'payload' };
  return { deal: null, source: 'none' };
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
