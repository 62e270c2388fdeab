// Admin preview: what a deal (pasted JSON, or read from the CRM by id) would become under a mapping.
// Pure build (src/mapping/build-handoff.ts): nothing is called, nothing is stored.
import type { CrmConnector, CrmDeal } from '../../handoff/ports.js';
import type { LoadedMapping } from '../../mapping/load-mappings.js';
import { buildHandoff, type BuiltHandoff } from '../../mapping/build-handoff.js';
import { dealReadRequest } from '../../mapping/referenced-properties.js';
import { readDealFile, type PayloadEvents } from '../../handoff/deal-file.js';

export interface PreviewInput {
  mapping: string;
  deal: string;
  dealId: string;
  closedAt: string;
}

export async function previewMapping(
  mappings: LoadedMapping[],
  crm: CrmConnector,
  input: PreviewInput,
  /** Reads a pasted CRM webhook payload (the runtime passes the CRM's parser). */
  payloadEvents: PayloadEvents,
): Promise<{ built: BuiltHandoff } | { error: string }> {
  const found = mappings.find((m) => m.mapping.name === input.mapping);
  if (!found) return { error: `no valid mapping named ${input.mapping}` };
  const closedAt = input.closedAt.trim() ? new Date(input.closedAt.trim()) : new Date();
  if (Number.isNaN(closedAt.getTime())) return { error: `close time: not a date: ${input.closedAt}` };
  let deal: CrmDeal | null;
  try {
    if (input.deal.trim()) deal = readDealFile(JSON.parse(input.deal), payloadEvents);
    // The same properties the workers ask for (routing, checks): a preview never sees less than a handoff would.
    else if (input.dealId.trim() && crm.mode === 'live') deal = await crm.getDeal(input.dealId.trim(), dealReadRequest(mappings.map((m) => m.mapping)));
    else return { error: 'paste a deal as JSON' + (crm.mode === 'live' ? ' or give a deal id' : '') };
  } catch (e) {
    return { error: `cannot read the deal: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!deal) return { error: `deal ${input.dealId} was not found in the CRM` };
  try {
    return { built: buildHandoff(found.mapping, deal, { closedAt }) };
  } catch (e) {
    return { error: `the mapping could not render this deal: ${e instanceof Error ? e.message : String(e)}` };
  }
}
