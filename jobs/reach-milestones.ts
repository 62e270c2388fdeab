// Milestone tasks reached: the CRM deal and, when the mapping asks, the client's thread hear about it.
import type { JobDeps } from './job-deps.js';
import { postMessageOnce } from './chat-post-claims.js';
import type { StoredPlan } from '../src/mapping/build-handoff.js';
import type { HandoffRow } from '../src/store/handoff-repo.js';
import type { appendAudit } from '../src/store/audit-repo.js';
import { listSteps } from '../src/store/step-repo.js';
import type { ObservedTask, TaskStatusRow } from '../src/store/task-status-repo.js';
import { escapeMrkdwn, toOneLine } from '../src/handoff/escape.js';
import { DateTime } from 'luxon';
import { mappingOf } from './mapping-of.js';

type AuditLine = Parameters<typeof appendAudit>[1];

const STARTED = new Set(['in_progress', 'done']);

/**
 * Milestone tasks: the kickoff under way is "kickoff scheduled" for the client; kickoff done and first
 * deliverable done go on the CRM deal (baton_status and the date), and the first deliverable done is
 * "delivered" for the client. Client updates only when the mapping's `client_updates` asks. Every call here
 * is idempotent (a PATCH of the same properties, a post keyed per handoff and milestone), so a retry after a
 * partial success repeats nothing visible; returns the audit lines to commit with the task row.
 */
export async function reachMilestones(deps: JobDeps, handoff: HandoffRow, taskId: string, before: TaskStatusRow, seen: ObservedTask): Promise<AuditLine[]> {
  const mapping = mappingOf(deps, handoff.mapping);
  const milestone = mapping?.work.tasks.find((t) => t.id === taskId)?.milestone;
  if (!mapping || !milestone) return [];
  const lines: AuditLine[] = [];
  if (milestone === 'kickoff' && !STARTED.has(before.category) && STARTED.has(seen.category)) lines.push(...(await postClientUpdate(deps, handoff, mapping.client_updates?.kickoff, 'kickoff')));
  if (before.category === 'done' || seen.category !== 'done') return lines;
  const plan = handoff.plan as StoredPlan;
  // The day the tool says the task was done (a retry on a later day writes the same date).
  const doneAt = seen.updatedAt ? new Date(seen.updatedAt) : deps.now();
  const date = DateTime.fromJSDate(doneAt, { zone: plan.calendar.timezone }).toISODate() ?? doneAt.toISOString().slice(0, 10);
  const label = milestone === 'kickoff' ? 'Kickoff done' : 'First deliverable done';
  const writer = deps.connectors.crm(handoff.crm).writer;
  if (writer.writeMilestone) {
    await writer.writeMilestone({ handoffId: handoff.id, idempotencyKey: `${handoff.id}:milestone:${milestone}`, dealId: handoff.dealId, milestone, status: 'kickoff_done', date });
  }
  lines.push({ handoffId: handoff.id, actor: 'worker', kind: 'milestone.reached', message: `${label} (${date})${writer.writeMilestone ? `: ${writer.crm} deal updated${writer.mode === 'dry-run' ? ' (dry-run)' : ''}` : ''}`, data: { milestone, task: taskId, date } });
  if (milestone === 'first_deliverable') lines.push(...(await postClientUpdate(deps, handoff, mapping.client_updates?.first_deliverable, milestone)));
  return lines;
}

async function postClientUpdate(deps: JobDeps, handoff: HandoffRow, update: string | undefined, milestone: 'kickoff' | 'first_deliverable'): Promise<AuditLine[]> {
  // Into the thread the intro started, through the channel that posted it.
  const client = deps.connectors.clientChannel((handoff.plan as StoredPlan).intro.tool);
  if (!update || !client.postMessage) return [];
  const intro = (await listSteps(deps.store, handoff.id)).find((s) => s.stepId === 'post-intro');
  const channel = typeof intro?.externalIds.channel === 'string' ? intro.externalIds.channel : null;
  const threadTs = typeof intro?.externalIds.threadTs === 'string' ? intro.externalIds.threadTs : null;
  if (!channel || !threadTs) return [];
  await postMessageOnce(deps, {
    handoffId: handoff.id,
    idempotencyKey: `${handoff.id}:client-update:${milestone}`,
    channel,
    threadTs,
    // Admin-written text, still escaped: the client sees exactly what the mapping says.
    text: escapeMrkdwn(toOneLine(update)),
    metadataType: 'baton_client_update',
    metadata: { handoff_id: handoff.id, milestone },
  }, client);
  return [{ handoffId: handoff.id, actor: 'worker', kind: 'client.updated', message: `${milestone === 'kickoff' ? 'Kickoff scheduled' : 'First deliverable delivered'}: update posted in the client thread` }];
}
