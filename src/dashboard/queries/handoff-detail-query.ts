// Everything the one-handoff page shows, read in parallel.
import type { Store } from '../../store/database.js';
import { getHandoff, type HandoffRow } from '../../store/handoff-repo.js';
import { listSteps, type StepRow } from '../../store/step-repo.js';
import { listAudit } from '../../store/audit-repo.js';
import { listDryRuns, type DryRunRow } from '../../store/dry-run-repo.js';
import { escalationHistory, taskStatuses, type CheckView, type EscalationView, type TaskStatusView } from './watch-query.js';
import { feedbackFor, type FeedbackView } from './feedback-query.js';

export interface HandoffDetail {
  handoff: HandoffRow;
  steps: StepRow[];
  audit: Awaited<ReturnType<typeof listAudit>>;
  dryRuns: DryRunRow[];
  /** null: live task status not available yet. */
  tasks: Map<string, TaskStatusView> | null;
  escalations: { checks: CheckView[]; fired: EscalationView[] } | null;
  /** 'absent': the feedback loop is not available yet; null: none requested for this handoff. */
  feedback: FeedbackView | null | 'absent';
}

export async function queryHandoffDetail(store: Store, id: string): Promise<HandoffDetail | null> {
  const handoff = await getHandoff(store, id);
  if (!handoff) return null;
  const [steps, audit, dryRuns, tasks, escalations, feedback] = await Promise.all([
    listSteps(store, id),
    listAudit(store, id),
    listDryRuns(store, id),
    taskStatuses(store, id),
    escalationHistory(store, id),
    feedbackFor(store, id),
  ]);
  return { handoff, steps, audit, dryRuns, tasks, escalations, feedback };
}
