// A check whose condition still fails fires its rung: the rung's row is claimed (once per rung and round),
// the message posted (post-escalation.ts), and the ladder moves on to the next rung or finishes.
import type { JobDeps } from '../job-deps.js';
import type { StoredPlan } from '../../src/mapping/build-handoff.js';
import type { EscalationSpec, Mapping } from '../../src/mapping/schema.js';
import type { HandoffRow } from '../../src/store/handoff-repo.js';
import { claimEscalation, updateCheckIf, type CheckRow, type NotifiedPerson } from '../../src/store/escalation-repo.js';
import { rungsOf } from '../../src/watch/escalation-ladder.js';
import { nextRungDue } from '../../src/watch/check-schedule.js';
import { describeStall, type WatchCondition } from '../../src/watch/watch-condition.js';
import type { EscalationRef } from '../../src/watch/escalation-message.js';
import { enqueueCheck } from './check-jobs.js';
import { postEscalation } from './post-escalation.js';

export async function fire(deps: JobDeps, handoff: HandoffRow, mapping: Mapping, spec: EscalationSpec, check: CheckRow, condition: WatchCondition): Promise<string> {
  const plan = handoff.plan as StoredPlan;
  const rungs = rungsOf(spec);
  const rung = rungs[check.rung]!;
  const key = { handoffId: handoff.id, triggerId: spec.id };
  const ref: EscalationRef = { ...key, rung: check.rung, round: check.round };
  const notified: NotifiedPerson[] = rung.notify.map((role) => ({ role, email: plan.people[role]?.email ?? null }));
  const stalled = describeStall(condition, (id) => plan.work.tasks.find((t) => t.id === id)?.summary ?? null);

  const { escalation, claimed } = await claimEscalation(deps.store, { ...ref, reason: stalled, notified });
  let outcome: string;
  // Post unless already settled: claimed = an earlier attempt may have posted (postMessageOnce resolves it);
  // failed = the admin retried the dead-lettered job.
  if (!claimed && escalation.status !== 'claimed' && escalation.status !== 'failed') {
    outcome = `rung ${check.rung} already ${escalation.status}`;
  } else {
    outcome = await postEscalation(deps, handoff, plan, spec, rung.channel, rung.notify, check, condition, stalled, escalation.id, ref);
  }

  // Next rung, or the end of the ladder. Compare-and-set: a click or a resolution in between wins.
  const now = deps.now();
  const next = rungs[check.rung + 1];
  if (next?.after) {
    const dueAt = nextRungDue(next.after, now, plan.calendar).toISOString();
    if (await updateCheckIf(deps.store, key, { status: 'pending', rung: check.rung, round: check.round }, { rung: next.index, round: 0, dueAt, lastFiredAt: now.toISOString() })) {
      await enqueueCheck(deps, { id: check.id, ...key, rung: next.index, round: 0, dueAt });
    }
  } else {
    await updateCheckIf(deps.store, key, { status: 'pending', rung: check.rung, round: check.round }, { status: 'finished', lastFiredAt: now.toISOString() });
  }
  return outcome;
}
