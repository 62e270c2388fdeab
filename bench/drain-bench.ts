// Issue #3's drain: 1,000 closed-won deals against HubSpot (60/s), Jira (100/s) and Slack (1/s per channel)
// stand-ins that enforce their limits with 429 + Retry-After; one in-process server and 2 `baton worker`
// processes. Reports the drain time against the theoretical minimum (calls each API served ÷ its limit,
// the slowest API decides), plus duplicates and failed handoffs. The run itself is bench/handoff-run.ts.
// Alone: `npx tsx bench/drain-bench.ts` (DEALS=…, WORKERS=… to resize).
import { runHandoffRun, type HandoffRunResult } from './handoff-run.js';

export const DRAIN_RATES = { hubspot: 60, jira: 100 };

export interface DrainResult extends HandoffRunResult {
  rates: { hubspot: number; jira: number };
  minimumS: number;
  /** Drain time ÷ theoretical minimum (target ≤ 1.15). */
  ratio: number;
}

export async function runDrainBench(opts: { deals?: number; workers?: number; rates?: { hubspot: number; jira: number } } = {}): Promise<DrainResult> {
  const rates = opts.rates ?? DRAIN_RATES;
  const r = await runHandoffRun({ deals: opts.deals ?? 1000, workers: opts.workers ?? 2, rates });
  const minimumS = r.minimumS!;
  return { ...r, rates, minimumS, ratio: Math.round((r.drainS / minimumS) * 100) / 100 };
}

if (process.argv[1]?.endsWith('drain-bench.ts')) {
  const r = await runDrainBench({ deals: Number(process.env.DEALS ?? 1000), workers: Number(process.env.WORKERS ?? 2) });
  console.log(JSON.stringify({ ...r, ackToDoneMs: undefined, ackToRoutedMs: undefined, routedToDoneMs: undefined }, null, 2));
}
