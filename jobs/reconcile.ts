// `maintenance` queue, scheduled: HubSpot stops retrying a webhook after about a day, so sweep the CRM
// for deals that entered a trigger stage since the last sweep and feed them through the same deduped
// ingest path as webhooks. Anything already handed off is a no-op there.
import type { CrmEvent } from '../src/handoff/ports.js';
import type { JobDeps } from './job-deps.js';
import type { CrmConnectors } from '../src/handoff/connector-registry.js';
import { triggerStageIds } from '../src/mapping/trigger.js';
import { getCursor, setCursor } from '../src/store/cursor-repo.js';
import { appendAudit } from '../src/store/audit-repo.js';
import { listHandoffsForDeal } from '../src/store/handoff-repo.js';

/** One cursor per CRM (`reconcile.hubspot.deals`). */
const cursorOf = (crm: string) => `reconcile.${crm}.deals`;
/** Overlap between sweeps: search results are eventually consistent. */
const OVERLAP_MS = 10 * 60_000;
/** Deals that entered a stage this recently may still have their webhook in flight: the next sweep covers them. */
const SETTLE_MS = 5 * 60_000;
/** First sweep looks back this far (HubSpot's own retry window). */
const FIRST_LOOKBACK_MS = 26 * 3600_000;
const BATCH = 100;

/** Every live CRM of the registry is swept in turn. */
export async function processReconcileJob(deps: JobDeps): Promise<{ found: number; queued: number }> {
  const total = { found: 0, queued: 0 };
  for (const crm of deps.connectors.crms()) {
    if (crm.reader.mode !== 'live') continue;
    const r = await reconcileCrm(deps, crm);
    total.found += r.found;
    total.queued += r.queued;
  }
  return total;
}

async function reconcileCrm(deps: JobDeps, { reader: crm, accountId = 'default' }: CrmConnectors): Promise<{ found: number; queued: number }> {
  const startedAt = deps.now().getTime();
  const pipelines = await crm.listPipelines();
  const mappings = deps.mappings().map((m) => m.mapping).filter((m) => m.trigger.crm === crm.crm);
  const stageIds = [...new Set(mappings.flatMap((m) => triggerStageIds(m, pipelines)))];
  if (stageIds.length === 0) return { found: 0, queued: 0 };

  const cursor = await getCursor(deps.store, cursorOf(crm.crm));
  const since = cursor ? Number(cursor) - OVERLAP_MS : startedAt - FIRST_LOOKBACK_MS;
  // How many mappings hand off a deal in each stage: a deal with that many closed handoffs needs nothing.
  const mappingsPerStage = new Map<string, number>();
  for (const m of mappings) for (const s of triggerStageIds(m, pipelines)) mappingsPerStage.set(s, (mappingsPerStage.get(s) ?? 0) + 1);
  let found = 0;
  let queued = 0;
  let batch: CrmEvent[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await deps.queues.events.add('reconcile', { receivedAt: new Date(startedAt).toISOString(), origin: 'reconcile', events: batch });
    batch = [];
  };
  for await (const hit of crm.searchDealsEnteredStages(stageIds, since)) {
    if (hit.enteredStageAt > startedAt - SETTLE_MS) continue;
    found++;
    const closed = (await listHandoffsForDeal(deps.store, crm.crm, hit.dealId)).filter((h) => h.phase === 'closed').length;
    if (closed >= (mappingsPerStage.get(hit.stageId) ?? 1)) continue; // its webhook arrived: nothing was lost
    queued++;
    batch.push({
      // Same deal entering the same stage at the same instant = same identity, sweep after sweep.
      identity: `${crm.crm}:${accountId}:reconcile:${hit.dealId}:${hit.stageId}:${hit.enteredStageAt}`,
      crm: crm.crm,
      accountId,
      kind: 'deal.reconciled',
      dealId: hit.dealId,
      occurredAt: hit.enteredStageAt,
      property: { name: 'dealstage', value: hit.stageId },
    });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  await setCursor(deps.store, cursorOf(crm.crm), String(startedAt - SETTLE_MS));
  if (queued > 0) {
    await appendAudit(deps.store, { handoffId: null, actor: 'worker', kind: 'reconcile.sweep', message: `Reconciliation found ${queued} deal(s) in trigger stages since ${new Date(since).toISOString()} without a handoff (of ${found} seen)` });
  }
  return { found, queued };
}
