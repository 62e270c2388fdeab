// The one deal reader of the workers: routing (and so reconciliation, which feeds routing), escalation
// checks and document refresh all read a deal here. Live CRM first, asking for every property the loaded
// mappings use (src/mapping/referenced-properties.ts); without credentials, a saved sample deal.
import type { CrmDeal, CrmEvent } from '../src/handoff/ports.js';
import { dealFromSnapshot } from '../src/handoff/deal-file.js';
import type { JobDeps } from './job-deps.js';
import { dealReadRequest } from '../src/mapping/trigger.js';

export type DealSource = 'crm' | 'sample' | 'payload' | 'none';

/** The deal as it is now, from the CRM it lives in (`crm`: the event's or handoff's). `crm` source with a null deal: the CRM says it does not exist. */
export async function readCurrentDeal(deps: Pick<JobDeps, 'connectors' | 'mappings'>, crmName: string, dealId: string): Promise<{ deal: CrmDeal | null; source: DealSource }> {
  const crm = deps.connectors.crm(crmName);
  if (crm.reader.mode === 'live') {
    const deal = await crm.reader.getDeal(dealId, dealReadRequest(deps.mappings().map((m) => m.mapping)));
    return { deal, source: 'crm' };
  }
  if (crm.samples) {
    const deal = await crm.samples.getDeal(dealId);
    if (deal) return { deal, source: 'sample' };
  }
  return { deal: null, source: 'none' };
}

/** Webhooks are thin: the route worker re-reads the deal; in dry-run without a sample, the properties the payload itself carried (workflow webhooks). */
export async function readDeal(deps: JobDeps, event: CrmEvent): Promise<{ deal: CrmDeal | null; source: DealSource }> {
  const read = await readCurrentDeal(deps, event.crm, event.dealId);
  if (read.source !== 'none') return read;
  if (event.snapshot) return { deal: dealFromSnapshot(event), source: 'payload' };
  return read;
}
