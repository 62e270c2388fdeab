// What a check reads before it decides: the live state its condition needs, and the document rebuilt from
// the deal as it is now (the rep may have filled in what was missing).
import { isPermanent } from '../../src/handoff/errors.js';
import type { CrmDeal } from '../../src/handoff/ports.js';
import type { JobDeps } from '../job-deps.js';
import type { Mapping } from '../../src/mapping/schema.js';
import { buildHandoff } from '../../src/mapping/build-handoff.js';
import { buildTemplateContext } from '../../src/mapping/context.js';
import { updateHandoff, type HandoffRow } from '../../src/store/handoff-repo.js';
import { appendAudit } from '../../src/store/audit-repo.js';
import { conditionTask, type LiveState, type WatchCondition } from '../../src/watch/watch-condition.js';
import { handoffPageUrl } from '../../src/handoff/handoff-url.js';
import { refreshTasks } from '../observe-task.js';
import { readCurrentDeal } from '../read-deal.js';

/** The live state the condition needs: the tool's task status, the document's completeness, the deal. */
export async function readLiveState(deps: JobDeps, handoff: HandoffRow, mapping: Mapping, c: WatchCondition): Promise<LiveState> {
  const live: LiveState = { tasks: {}, documentComplete: handoff.complete, deal: null };
  const task = conditionTask(c);
  if (task) {
    const [row] = await refreshTasks(deps, handoff, [task], 'check');
    live.tasks[task] = row?.category;
  }
  if (c.kind === 'document-complete' || c.kind === 'field') {
    const deal = await readDealNow(deps, handoff);
    if (deal) live.deal = buildTemplateContext(deal);
    if (c.kind === 'document-complete' && !handoff.complete && deal) live.documentComplete = await refreshDocument(deps, handoff, mapping, deal);
  }
  return live;
}

/** The deal as it is now (the same read as routing: every property the mappings use), else as it was at the close. */
async function readDealNow(deps: JobDeps, handoff: HandoffRow): Promise<CrmDeal | null> {
  try {
    const { deal } = await readCurrentDeal(deps, handoff.crm, handoff.dealId);
    if (deal) return deal;
  } catch (e) {
    if (!isPermanent(e)) throw e;
  }
  return (handoff.deal as CrmDeal | null) ?? null;
}

/** The rep may fill in what was missing after the close: rebuild the document from the deal as it is now. */
async function refreshDocument(deps: JobDeps, handoff: HandoffRow, mapping: Mapping, deal: CrmDeal): Promise<boolean> {
  let doc;
  try {
    doc = buildHandoff(mapping, deal, { closedAt: new Date(handoff.closedAt ?? handoff.createdAt), handoffUrl: handoffPageUrl(deps.config.publicUrl, handoff.id) }).document;
  } catch {
    return handoff.complete;
  }
  if (doc.complete && !handoff.complete) {
    await updateHandoff(deps.store, handoff.id, { document: doc, complete: true, missing: [] });
    await appendAudit(deps.store, { handoffId: handoff.id, actor: 'worker', kind: 'document.updated', message: 'Document now complete (fields filled in on the deal after the close)' });
  }
  return doc.complete;
}
