// `nudge` queue: before close, tell the sales rep (one Slack DM) what the handoff document still lacks.
// Jobs are keyed by (handoff, missing-field set) and delayed, so a burst of edits yields one DM; a job
// whose set is no longer current is dropped. The DM's idempotency key is the same pair: never twice.
import type { JobDeps } from './job-deps.js';
import { sendDirectMessageOnce } from './chat-post-claims.js';
import type { NudgeJob } from '../src/queue/job-schemas.js';
import type { StoredPlan } from '../src/mapping/build-handoff.js';
import type { CrmDeal } from '../src/handoff/ports.js';
import { getHandoff } from '../src/store/handoff-repo.js';
import { appendAudit } from '../src/store/audit-repo.js';
import { buildNudgeText, missingSetKey } from '../src/handoff/nudge-message.js';
import { handoffPageUrl } from '../src/handoff/handoff-url.js';

export async function processNudgeJob(deps: JobDeps, job: NudgeJob): Promise<string> {
  const h = await getHandoff(deps.store, job.handoffId);
  if (!h || h.phase !== 'preparing' || h.status === 'stopped') return 'not preparing any more';
  if (h.complete || h.missing.length === 0) return 'document complete';
  if (missingSetKey(h.missing) !== job.missingKey) return 'superseded by a newer change';
  const rep = (h.plan as StoredPlan).people.sales_rep;
  if (!rep?.email) {
    await appendAudit(deps.store, { handoffId: h.id, actor: 'worker', kind: 'nudge.skipped', message: 'No sales rep email to nudge (people.sales_rep)' });
    return 'no rep email';
  }
  const text = buildNudgeText({
    dealName: h.dealName,
    title: h.title,
    missing: h.missing,
    dealUrl: (h.deal as CrmDeal | null)?.url ?? null,
    handoffUrl: handoffPageUrl(deps.config.publicUrl, h.id),
  });
  const sent = await sendDirectMessageOnce(deps, { idempotencyKey: `${h.id}:nudge:${job.missingKey}`, handoffId: h.id, email: rep.email, text });
  const message = 'skipped' in sent ? `Nudge not sent: ${sent.skipped}` : `Nudged ${rep.email}: ${h.missing.length} field(s) missing`;
  await appendAudit(deps.store, { handoffId: h.id, actor: 'worker', kind: 'skipped' in sent ? 'nudge.skipped' : 'nudge.sent', message, data: { missing: h.missing.map((m) => m.key) } });
  return message;
}
