// `route` queue: one job per new CRM event. Decide from the deal's CURRENT state (re-read), so
// out-of-order and duplicate events converge on the same answer; the handoff row is unique per
// (crm, deal, mapping), so no interleaving of events can create two.
import { randomUUID } from 'node:crypto';
import type { CrmDeal, CrmEvent } from '../src/handoff/ports.js';
import type { JobDeps } from './job-deps.js';
import type { RouteJob } from '../src/queue/job-schemas.js';
import type { Mapping } from '../src/mapping/schema.js';
import { matchTrigger, referencedProperties, type TriggerPhase } from '../src/mapping/trigger.js';
import { handoffRowFields } from '../src/mapping/build-handoff.js';
import { fallbackTitle } from '../src/mapping/build-document.js';
import { setInboxStatus } from '../src/store/inbox-repo.js';
import { createHandoffIfAbsent, findHandoff, listHandoffsForDeal, updateHandoff, type HandoffRow } from '../src/store/handoff-repo.js';
import { appendAudit } from '../src/store/audit-repo.js';
import { enqueueHandoff, enqueueNudge } from '../src/queue/enqueue.js';
import { lastStop, resumeHandoff, STOPPED_KIND, type StopReason, type StopRecord } from './resume-handoff.js';
import { readDeal } from './read-deal.js';
import { cancelChecks } from './escalation/schedule-checks.js';
import { missingSetKey } from '../src/handoff/nudge-message.js';
import { clearBuildFailure, recordBuildFailure, tryBuild } from './build-step.js';

const STAGE_PROPERTIES = new Set(['dealstage', 'pipeline']);

export async function processRouteJob(deps: JobDeps, { event }: RouteJob): Promise<string> {
  const outcome = await route(deps, event);
  await setInboxStatus(deps.store, event.identity, outcome.status, outcome.note);
  return outcome.note;
}

async function route(deps: JobDeps, event: CrmEvent): Promise<{ status: 'routed' | 'ignored'; note: string }> {
  if (event.kind === 'deal.deleted') {
    const n = await stopHandoffs(deps, event.crm, event.dealId, 'deleted', 'the deal was deleted in the CRM');
    return { status: n ? 'routed' : 'ignored', note: `deal deleted; ${n} handoff(s) stopped` };
  }
  if (event.kind === 'deal.merged') {
    for (const merged of event.mergedDealIds ?? []) {
      if (merged !== event.dealId) await stopHandoffs(deps, event.crm, merged, 'merged', `the deal was merged into deal ${event.dealId}`);
    }
  }
  // Then routed like any event: a restored deal with no handoff yet may be in a trigger stage.
  const resumed = event.kind === 'deal.restored' ? await resumeRestored(deps, event) : [];
  if (isOwnWrite(deps, event)) return { status: 'ignored', note: "Baton's own write to the deal" };
  if (event.kind === 'deal.property_changed' && event.property && !isRelevantProperty(deps, event.property.name)) {
    return { status: 'ignored', note: `property ${event.property.name} does not affect any mapping` };
  }

  const { deal, source } = await readDeal(deps, event);
  if (!deal) return { status: 'ignored', note: `deal ${event.dealId} could not be read (${source === 'none' ? 'CRM in dry-run and no deal data in the payload' : 'not found'})` };
  if (deal.archived) return { status: 'ignored', note: 'deal is archived' };

  const crm = deps.connectors.crm(event.crm);
  const pipelines = await (crm.reader.mode === 'live' || !crm.samples ? crm.reader : crm.samples).listPipelines();
  const notes: string[] = [];
  for (const { mapping } of deps.mappings()) {
    if (mapping.trigger.crm !== event.crm) continue;
    const m = matchTrigger(mapping, deal, pipelines);
    if (!m.phase) continue;
    notes.push(await routeToMapping(deps, mapping, deal, m.phase, event));
  }
  notes.unshift(...resumed);
  return notes.length ? { status: 'routed', note: notes.join('; ') } : { status: 'ignored', note: 'no mapping matches the deal' };
}

async function routeToMapping(deps: JobDeps, mapping: Mapping, deal: CrmDeal, phase: TriggerPhase, event: CrmEvent): Promise<string> {
  const existing = await findHandoff(deps.store, deal.crm, deal.id, mapping.name);
  if (existing?.phase === 'closed') return alreadyClosed(deps, mapping, existing, event);

  const closedAt = phase === 'closed' ? new Date(event.occurredAt) : null;
  // Templates may link the handoff's own page (`handoff_url`): its id is chosen before the row exists.
  const id = existing?.id ?? randomUUID();
  const result = tryBuild(deps, mapping, deal, id, closedAt ?? deps.now());
  if ('error' in result) return buildFailed(deps, { mapping, deal, phase, closedAt, event, existing, id }, result.error);
  const built = result.built;
  const fields = handoffRowFields(built, deal, phase === 'closed' ? 'closed' : 'preparing', closedAt);
  const { handoff, created } = existing
    ? { handoff: existing, created: false }
    : await createHandoffIfAbsent(deps.store, { id, crm: deal.crm, accountId: deal.accountId, dealId: deal.id, mapping: mapping.name, ...fields });
  // Another route job for the same deal created it in between: route against that row instead.
  if (handoff.id !== id) return routeToMapping(deps, mapping, deal, phase, event);

  if (created) {
    await appendAudit(deps.store, {
      handoffId: handoff.id,
      actor: 'worker',
      kind: 'handoff.created',
      message: `${phase === 'closed' ? 'Deal closed' : 'Deal entered the prepare stage'}: handoff created from mapping ${mapping.name}${built.document.complete ? '' : ` (document incomplete: ${built.document.missing.length} missing)`}`,
      data: { event: event.identity, phase },
    });
    if (phase === 'closed') await enqueueHandoff(deps, handoff.id, 'closed');
    else if (!built.document.complete) await enqueueNudge(deps, handoff.id, missingSetKey(built.document.missing));
    return `${mapping.name}: handoff ${handoff.id} created (${phase})`;
  }

  // Before close the document follows the deal; on close it is frozen and handed off. A build that failed
  // earlier (a mapping error since fixed) is cleared by this one.
  const rebuilt = await clearBuildFailure(deps, handoff.id);
  await updateHandoff(deps.store, handoff.id, rebuilt ? { ...fields, status: 'pending', lastError: null } : fields);
  if (phase === 'closed') {
    await appendAudit(deps.store, { handoffId: handoff.id, actor: 'worker', kind: 'handoff.closed', message: `Deal closed: handing off (mapping ${mapping.name})`, data: { event: event.identity } });
    await enqueueHandoff(deps, handoff.id, 'closed');
  } else if (missingSetKey(handoff.missing) !== missingSetKey(built.document.missing)) {
    if (!built.document.complete) await enqueueNudge(deps, handoff.id, missingSetKey(built.document.missing));
    await appendAudit(deps.store, { handoffId: handoff.id, actor: 'worker', kind: 'document.updated', message: `Document now ${built.document.complete ? 'complete' : `missing ${built.document.missing.length} field(s)`}`, data: { missing: built.document.missing } });
  }
  return `${mapping.name}: handoff ${handoff.id} updated (${phase})`;
}

/**
 * The mapping cannot render for this deal: a mapping error no retry of this job can fix. The handoff exists
 * anyway, failed, naming mapping, template key and reason (jobs/build-step.ts), and the event counts as
 * routed; the admin fixes the mapping and presses Retry.
 */
async function buildFailed(
  deps: JobDeps,
  b: { mapping: Mapping; deal: CrmDeal; phase: TriggerPhase; closedAt: Date | null; event: CrmEvent; existing: HandoffRow | null; id: string },
  message: string,
): Promise<string> {
  const { mapping, deal, existing, id } = b;
  const note = `${mapping.name}: handoff ${id} failed: ${message}`;
  const phase = b.phase === 'closed' ? 'closed' : 'preparing';
  if (existing) {
    // Before close every deal event rebuilds: say it once per distinct failure.
    if (existing.status === 'failed' && existing.lastError === message && existing.phase === phase) return note;
    if (phase === 'closed') await updateHandoff(deps.store, id, { phase, closedAt: b.closedAt?.toISOString() ?? null, deal });
  } else {
    const dealName = deal.properties.dealname ?? null;
    const { handoff, created } = await createHandoffIfAbsent(deps.store, {
      id, crm: deal.crm, accountId: deal.accountId, dealId: deal.id, mapping: mapping.name, phase, title: fallbackTitle(dealName, deal.id), dealName,
      document: null, complete: false, missing: [], plan: null, deal, closedAt: b.closedAt?.toISOString() ?? null, status: 'failed', lastError: message,
    });
    if (handoff.id !== id) return routeToMapping(deps, mapping, deal, b.phase, b.event);
    if (created) {
      await appendAudit(deps.store, { handoffId: id, actor: 'worker', kind: 'handoff.created', message: `${phase === 'closed' ? 'Deal closed' : 'Deal entered the prepare stage'}: handoff created from mapping ${mapping.name}, but its templates cannot render for this deal`, data: { event: b.event.identity, phase } });
    }
  }
  await recordBuildFailure(deps, id, message);
  return note;
}

/** Closed already: nothing to build. */
async function alreadyClosed(deps: JobDeps, mapping: Mapping, handoff: HandoffRow, event: CrmEvent): Promise<string> {
  // Closed but its run never started: this may be the retry of a route job that saved the handoff and then
  // failed before queueing the run (Redis or the database went away, the worker died). Queue it again; the
  // job id makes this a no-op when the run is already queued.
  if (handoff.status === 'pending') await enqueueHandoff(deps, handoff.id, 'closed');

  // Already handed off: a duplicate, a late event, or the deal leaving and re-entering the stage.
  // One handoff per deal and mapping for life; say so on the trail when the stage itself changed.
  if (event.kind === 'deal.property_changed' && event.property && STAGE_PROPERTIES.has(event.property.name) && handoff.closedAt && event.occurredAt > Date.parse(handoff.closedAt)) {
    await appendAudit(deps.store, { handoffId: handoff.id, actor: 'worker', kind: 'deal.reentered', message: 'The deal re-entered the trigger stage; the existing handoff is kept', data: { event: event.identity } });
  }
  return `${mapping.name}: handoff ${handoff.id} already exists`;
}


async function stopHandoffs(deps: JobDeps, crm: string, dealId: string, reason: StopReason, why: string): Promise<number> {
  const handoffs: HandoffRow[] = (await listHandoffsForDeal(deps.store, crm, dealId)).filter((h) => h.status !== 'stopped');
  for (const h of handoffs) {
    await updateHandoff(deps.store, h.id, { status: 'stopped' });
    // What it was doing, so a restore (or an admin's Retry) resumes it there (jobs/resume-handoff.ts).
    const stop: StopRecord = { reason, previousStatus: h.status, why };
    await appendAudit(deps.store, { handoffId: h.id, actor: 'worker', kind: STOPPED_KIND, message: `Stopped: ${why}`, data: { ...stop } });
    await cancelChecks(deps, h.id, why);
  }
  return handoffs.length;
}

/** The CRM restored a deleted deal: its handoffs stopped by the deletion resume where they stopped. */
async function resumeRestored(deps: JobDeps, event: CrmEvent): Promise<string[]> {
  const notes: string[] = [];
  for (const h of await listHandoffsForDeal(deps.store, event.crm, event.dealId)) {
    if (h.status !== 'stopped' || (await lastStop(deps, h.id))?.reason !== 'deleted') continue;
    const status = await resumeHandoff(deps, h, {
      actor: 'worker',
      kind: 'deal.restored',
      message: 'The deal was restored in the CRM: the handoff resumes where it stopped',
      runReason: `restored:${event.identity}`,
      data: { event: event.identity },
    });
    notes.push(`handoff ${h.id} resumed (${status})`);
  }
  return notes;
}

function isOwnWrite(deps: JobDeps, event: CrmEvent): boolean {
  const appId = deps.config.hubspot.appId;
  if (!appId || !event.source) return false;
  // The payload's appId is the receiving app; the writer is in sourceId (an app id for integrations).
  return event.source.sourceId === appId;
}

function isRelevantProperty(deps: JobDeps, name: string): boolean {
  if (STAGE_PROPERTIES.has(name)) return true;
  return referencedProperties(deps.mappings().map((m) => m.mapping)).deal.includes(name);
}
