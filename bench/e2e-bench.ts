// Issue #6's end-to-end figures, on the run in bench/handoff-run.ts:
// - latency: Baton's overhead per handoff against zero-latency stand-ins, webhook 200 → handoff done
//   (all four steps), one deal per webhook at a modest rate so it measures Baton and not a queue;
// - throughput: handoffs/s with 1, 2 and 4 `baton worker` processes, against zero-latency stand-ins
//   (Baton is the ceiling) and against rate-limited ones (the limits must be the ceiling: deals ÷ (calls
//   served ÷ limit), the slowest API deciding).
// Both run on PostgreSQL, the store issue #6 scales out on (SQLite serialises writers across processes).
// Alone: `npx tsx bench/e2e-bench.ts latency|throughput` (DEALS=…, RATE=…, WORKERS=1,2,4, BENCH_DB=sqlite).
import { openHandoffWorld, runHandoffRun, pct, type HandoffRunResult } from './handoff-run.js';
import { DRAIN_RATES } from './drain-bench.js';

export interface LatencyResult {
  run: HandoffRunResult;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  routedP50: number;
  routedP99: number;
  stepsP50: number;
  stepsP99: number;
}

export async function runLatencyBench(opts: { deals?: number; perSecond?: number; workers?: number; database?: 'sqlite' | 'postgres' } = {}): Promise<LatencyResult> {
  const perSecond = opts.perSecond ?? 2;
  const run = await runHandoffRun({ deals: opts.deals ?? 100, workers: opts.workers ?? 1, rates: null, arrival: { perSecond }, database: opts.database ?? 'postgres' });
  const at = (xs: number[], p: number) => Math.round(pct(xs, p));
  return {
    run,
    perSecond,
    p50: at(run.ackToDoneMs, 50),
    p99: at(run.ackToDoneMs, 99),
    max: at(run.ackToDoneMs, 100),
    routedP50: at(run.ackToRoutedMs, 50),
    routedP99: at(run.ackToRoutedMs, 99),
    stepsP50: at(run.routedToDoneMs, 50),
    stepsP99: at(run.routedToDoneMs, 99),
  };
}

export interface ThroughputResult {
  unlimited: HandoffRunResult[];
  limited: HandoffRunResult[];
}

/** One world per kind of stand-in; the same worker processes stay while more join (1 → 2 → 4), each count on fresh deals. */
export async function runThroughputBench(
  opts: {
    deals?: number;
    limitedDeals?: number;
    workers?: number[];
    /** Worker counts for the rate-limited series (the drain scenario is already its 2-worker run). */
    limitedWorkers?: number[];
    database?: 'sqlite' | 'postgres';
    log?: (line: string) => void;
  } = {},
): Promise<ThroughputResult> {
  const series = async (rates: typeof DRAIN_RATES | null, deals: number, counts: number[]): Promise<HandoffRunResult[]> => {
    const world = await openHandoffWorld({ deals: deals * counts.length, rates, database: opts.database ?? 'postgres' });
    const out: HandoffRunResult[] = [];
    try {
      for (const n of counts) {
        await world.setWorkers(n);
        const r = await world.drain(deals);
        opts.log?.(`throughput: ${n} worker(s), ${rates ? `rate-limited: ${r.handoffsPerSec}/s (ceiling ${r.ceilingPerSec}/s)` : `zero-latency: ${r.handoffsPerSec}/s`} in ${r.drainS} s`);
        out.push(r);
      }
    } finally {
      await world.close();
    }
    return out;
  };
  const unlimited = await series(null, opts.deals ?? 300, opts.workers ?? [1, 2, 4]);
  const limited = await series(DRAIN_RATES, opts.limitedDeals ?? 300, opts.limitedWorkers ?? opts.workers ?? [1, 2, 4]);
  return { unlimited, limited };
}

const strip = (r: HandoffRunResult) => ({ ...r, ackToDoneMs: r.ackToDoneMs.length, ackToRoutedMs: undefined, routedToDoneMs: undefined });

if (process.argv[1]?.endsWith('e2e-bench.ts')) {
  const which = process.argv[2] ?? 'latency';
  const deals = process.env.DEALS ? Number(process.env.DEALS) : undefined;
  const database = process.env.BENCH_DB === 'sqlite' ? 'sqlite' : undefined;
  if (which === 'latency') {
    const r = await runLatencyBench({ deals, database, perSecond: process.env.RATE ? Number(process.env.RATE) : undefined });
    console.log(JSON.stringify({ ...r, run: strip(r.run) }, null, 2));
  } else {
    const workers = process.env.WORKERS?.split(',').map(Number);
    const r = await runThroughputBench({ deals, limitedDeals: deals, workers, database, log: console.log });
    console.log(JSON.stringify({ unlimited: r.unlimited.map(strip), limited: r.limited.map(strip) }, null, 2));
  }
}
