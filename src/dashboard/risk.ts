// Which handoffs need someone's attention first. Pure; the board query orders by the same weights in
// SQL (queries/board-query.ts riskScore), and this explains each score in words on the page.

/** A closed handoff whose pipeline (work → intro → write-back) has not moved for this long is stalled: its steps take seconds. */
export const STALL_AFTER_MS = 2 * 3600_000;
/** A handed-off deal stays on the board this long after close (or until live task status says delivery is under way). */
export const OPEN_DAYS_AFTER_CLOSE = 60;

export const RISK_WEIGHTS = {
  failed: 1000,
  stalled: 500,
  openEscalation: 300,
  overdueTask: 200,
  incomplete: 100,
} as const;

export interface RiskInput {
  status: string;
  phase: string;
  updatedAt: string;
  complete: boolean;
  missingCount: number;
  /** null = not known (live task status not available). */
  overdueTasks: number | null;
  openEscalations: number | null;
}

export interface Risk {
  score: number;
  /** Failed or no progress: what "stand out at a glance" highlights. */
  stalled: boolean;
  reasons: string[];
}

export function isStalledPipeline(h: Pick<RiskInput, 'status' | 'phase' | 'updatedAt'>, now: Date): boolean {
  return (h.status === 'pending' || h.status === 'running') && h.phase === 'closed' && Date.parse(h.updatedAt) < now.getTime() - STALL_AFTER_MS;
}

const ago = (iso: string, now: Date) => {
  const h = Math.floor((now.getTime() - Date.parse(iso)) / 3600_000);
  return h >= 48 ? `${Math.floor(h / 24)} days` : `${h} hours`;
};

export function riskOf(h: RiskInput, now: Date): Risk {
  let score = 0;
  const reasons: string[] = [];
  let stalled = false;
  if (h.status === 'failed') {
    score += RISK_WEIGHTS.failed;
    stalled = true;
    reasons.push('failed: needs an admin');
  }
  if (isStalledPipeline(h, now)) {
    score += RISK_WEIGHTS.stalled;
    stalled = true;
    reasons.push(`no progress for ${ago(h.updatedAt, now)}`);
  }
  if (h.openEscalations) {
    score += RISK_WEIGHTS.openEscalation;
    stalled = true;
    reasons.push(`${h.openEscalations} open escalation${h.openEscalations > 1 ? 's' : ''}`);
  }
  if (h.overdueTasks) {
    score += RISK_WEIGHTS.overdueTask;
    stalled = true;
    reasons.push(`${h.overdueTasks} overdue task${h.overdueTasks > 1 ? 's' : ''}`);
  }
  if (!h.complete) {
    score += RISK_WEIGHTS.incomplete;
    reasons.push(`document missing ${h.missingCount} field${h.missingCount === 1 ? '' : 's'}`);
  }
  return { score, stalled, reasons };
}
