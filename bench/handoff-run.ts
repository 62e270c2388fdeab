// End-to-end handoff runs, shared by the drain, throughput and latency scenarios: closed-won deals in local
// HubSpot, Jira and Slack stand-ins (rate-limited with 429 + Retry-After, or unlimited and answering at
// once), one in-process Baton server and N `baton worker` processes with live connectors.
// A bench opens one world, sets the worker count and drains batches of fresh deals; each batch reports what
// the stand-ins served for it, duplicates (in the stand-ins) and failed handoffs (in the store), and, per
// deal, the time from the webhook's 200 to the handoff's `handoff.done` audit entry. Worker processes are
// kept between batches (adding workers 1 → 2 → 4): each costs seconds of CPU to start.
import { readFile } from 'node:fs/promises';
import { startBaton, TEST_SECRET } from '../test/helpers/baton-harness.js';
import { channelId, startWorld } from '../test/helpers/standin-world.js';
import { ownAddressEnv } from '../test/helpers/free-port.js';
import { spawnWorker } from '../test/helpers/spawn-worker.js';
import { storeBackends, type TestStore } from '../test/helpers/databases.js';

export type Rates = { hubspot: number; jira: number };

export interface WorldOptions {
  /** Deals seeded in the stand-ins: the sum of every batch this world will drain. */
  deals: number;
  /** Stand-in limits in requests/s (Slack: 1 message/s per channel); null = unlimited, zero-latency stand-ins. */
  rates: Rates | null;
  database?: 'sqlite' | 'postgres';
  /** Per worker process, every queue (BATON_WORKER_CONCURRENCY). */
  concurrency?: number;
}

/** 'burst': every deal at once in 20-event webhooks; { perSecond }: one deal per webhook, paced. */
export type Arrival = 'burst' | { perSecond: number };

export interface HandoffRunResult {
  deals: number;
  workers: number;
  rates: Rates | null;
  database: 'sqlite' | 'postgres';
  /** First webhook sent → last handoff done or failed. */
  drainS: number;
  handoffsPerSec: number;
  /** Calls each stand-in served for this batch (HubSpot's 429s excluded, as they cost the API nothing). */
  calls: { hubspot: number; jira: number; slack: number };
  callsPerHandoff: { hubspot: number; jira: number; slack: number; total: number };
  /** Rate-limited runs: calls served ÷ limit, the slowest API decides; throughput ceiling = deals ÷ that. */
  minimumS: number | null;
  ceilingPerSec: number | null;
  /** handoffs/s ÷ ceiling (1 = exactly at the limit; issue #3's ≤ 1.15× drain time is ≥ 0.87 here). */
  ceilingRatio: number | null;
  /**
   * Rate-limited runs: the API that sets the ceiling, and its calls per second ÷ its limit between the moments
   * it had served 10% and 90% of this batch's calls (Baton paces at 97%). Close to 0.97 means the limit, not
   * Baton, was the ceiling while there was work for that API; the whole-run ratio adds the pipeline filling
   * and emptying, which weigh on a short run.
   */
  bottleneck: { api: 'hubspot' | 'jira'; utilisation: number } | null;
  count429: { hubspot: number; jira: number; slack: number };
  duplicates: { jiraIssues: number; slackIntros: number; hubspotNotes: number };
  done: number;
  failed: number;
  /** Neither done nor failed when the deadline passed. */
  unfinished: number;
  /** Per deal, webhook 200 → handoff.done, ms (sorted); split at the handoff row's creation (routing done). */
  ackToDoneMs: number[];
  ackToRoutedMs: number[];
  routedToDoneMs: number[];
  /** Peak RSS so far (VmHWM) of each worker process, MB. */
  workerPeakRssMb: number[];
  /** CPU each worker process used during the drain, as a share of one core (1 = a saturated event loop). */
  workerCpuShare: number[];
  /** All worker processes' CPU time ÷ handoffs done, ms: Baton's work per handoff. */
  workerCpuMsPerHandoff: number;
  /** CPU the bench process (server + stand-ins + driver) used during the drain, as a share of one core. */
  benchCpuShare: number;
  detail?: unknown;
}

export interface HandoffWorld {
  /** Starts worker processes until n are connected (never stops any). */
  setWorkers(n: number): Promise<void>;
  /** Sends the next `count` unused deals to closed-won and waits until every handoff is done or failed. */
  drain(count: number, arrival?: Arrival): Promise<HandoffRunResult>;
  close(): Promise<void>;
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const r1 = (n: number) => Math.round(n * 10) / 10;
const r2 = (n: number) => Math.round(n * 100) / 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// BENCH_VERBOSE=1: when each phase ends (start-up and teardown are outside the figures but inside the bench's time).
const phase = (t: number, what: string) => process.env.BENCH_VERBOSE && console.error(`[run] ${what} at ${((performance.now() - t) / 1000).toFixed(1)} s`);

export async function openHandoffWorld(opts: WorldOptions): Promise<HandoffWorld> {
  const tOpen = performance.now();
  const { rates } = opts;
  const database = opts.database ?? 'sqlite';
  const world = await startWorld({ deals: opts.deals, rates: { ...(rates ?? {}), slackPerChannel: 1 } });
  let pg: TestStore | null = null;
  let b: Awaited<ReturnType<typeof startBaton>>;
  try {
    pg = database === 'postgres' ? await storeBackends().find((x) => x.name === 'postgres')!.open() : null;
    const env: Record<string, string> = {
      ...world.env,
      ...(await ownAddressEnv()),
      BATON_WORKER_CONCURRENCY: String(opts.concurrency ?? 25),
      // The production lock: the test harness's 2 s lets a CPU-starved worker's job be taken over mid-step.
      BATON_JOB_LOCK_MS: '30000',
      // Only handoff work: no reconciliation search, no task-status polling during the run.
      BATON_RECONCILE_EVERY_SECONDS: '0',
      BATON_WATCH_POLL_SECONDS: '0',
      LOG_LEVEL: 'error',
      ...(pg ? { DATABASE_URL: pg.databaseUrl } : {}),
      // Rate-limited: Baton a little under each API's limit, as an operator would ("stay just under yours").
      // Unlimited: Baton's limiter opened wide (it still takes its Redis slot per call), so Baton is the ceiling.
      ...(rates
        ? { HUBSPOT_REQUESTS_PER_SECOND: String(rates.hubspot * 0.97), JIRA_REQUESTS_PER_SECOND: String(rates.jira * 0.97) }
        : { HUBSPOT_REQUESTS_PER_SECOND: '10000', JIRA_REQUESTS_PER_SECOND: '10000', SLACK_REQUESTS_PER_SECOND: '10000' }),
    };
    b = await startBaton({ workers: false, env });
  } catch (e) {
    // Listening stand-ins would keep the bench process alive after the scenario reports its error.
    await world.close();
    await pg?.cleanup();
    throw e;
  }
  const procs: ReturnType<typeof spawnWorker>[] = [];
  let next = 0; // the first deal no batch has used
  phase(tOpen, 'stand-ins and server up');

  const counters = () => ({
    hubspot: sum(world.hubspot.state.requests) - world.hubspot.state.count429,
    jira: sum(world.jira.state.requests),
    slack: sum(world.slack.state.requests),
    h429: world.hubspot.state.count429,
    j429: world.jira.state.count429,
    s429: world.slack.state.count429,
  });

  async function setWorkers(n: number): Promise<void> {
    const t = performance.now();
    while (procs.length < n) procs.push(spawnWorker({ ...b.env, LOG_LEVEL: 'error' }));
    const deadline = Date.now() + 90_000;
    while ((await b.rt.queues.handoff.getWorkersCount()) < n) {
      const dead = procs.find((p) => p.child.exitCode !== null);
      if (dead) throw new Error(`a worker exited during start-up: ${dead.stderr()}`);
      if (Date.now() > deadline) throw new Error(`only ${await b.rt.queues.handoff.getWorkersCount()} of ${n} workers connected`);
      await sleep(100);
    }
    phase(t, `${n} worker(s) connected`);
  }

  async function drain(count: number, arrival: Arrival = 'burst'): Promise<HandoffRunResult> {
    if (next + count > world.dealIds.length) throw new Error(`the world has ${world.dealIds.length - next} unused deals, not ${count}`);
    const batch = world.dealIds.slice(next, next + count);
    const firstIndex = next;
    next += count;
    const target = `${b.url}/webhooks/hubspot`;
    const ackAt = new Map<string, number>();
    const post = async (ids: string[]) => {
      const events = ids.map((id) => world.hubspot.moveDealToStage(id, 'closedwon'));
      const res = await world.hubspot.sendWebhook(target, events, TEST_SECRET);
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${res.body}`);
      const at = Date.now();
      for (const id of ids) ackAt.set(id, at);
    };
    const before = counters();
    const cpu0 = process.cpuUsage();
    const workerCpu0 = await Promise.all(procs.map((p) => cpuSeconds(p.child.pid)));
    const t0 = Date.now();
    const tDrain = performance.now();
    if (arrival === 'burst') {
      for (let i = 0; i < count; i += 20) await post(batch.slice(i, i + 20));
    } else {
      const gap = 1000 / arrival.perSecond;
      for (let i = 0; i < count; i++) {
        await sleep(t0 + i * gap - Date.now());
        await post([batch[i]!]);
      }
    }
    // Progress of this batch only: its deals' handoffs, by status.
    const statusOf = async () => {
      const rows = await b.rt.store.db
        .selectFrom('handoffs')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('deal_id', 'in', batch)
        .groupBy('status')
        .execute();
      const n = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
      return { done: n('done'), failed: n('failed') };
    };
    let progress = { done: 0, failed: 0 };
    const deadline = Date.now() + 5 * 60_000;
    const samples: { t: number; c: ReturnType<typeof counters> }[] = [];
    for (;;) {
      samples.push({ t: Date.now(), c: counters() });
      progress = await statusOf();
      if (progress.done + progress.failed >= count || Date.now() > deadline) break;
      await sleep(100);
    }
    const drainS = (Date.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const workerCpuS = await Promise.all(procs.map(async (p, i) => (await cpuSeconds(p.child.pid)) - (workerCpu0[i] ?? 0)));
    const after = counters();
    phase(tDrain, `${count} deals drained`);

    // Per-deal latency from the store: the worker stamps handoff.done; the handoff row's created_at is routing's end.
    const rows = await b.rt.store.db
      .selectFrom('audit_events')
      .innerJoin('handoffs', 'handoffs.id', 'audit_events.handoff_id')
      .select(['handoffs.deal_id as dealId', 'handoffs.created_at as createdAt', 'audit_events.at as at'])
      .where('audit_events.kind', '=', 'handoff.done')
      .where('handoffs.deal_id', 'in', batch)
      .execute();
    const doneAt = new Map<string, { at: number; created: number }>();
    for (const r of rows) {
      const at = Date.parse(r.at);
      const prev = doneAt.get(r.dealId);
      if (!prev || at < prev.at) doneAt.set(r.dealId, { at, created: Date.parse(r.createdAt) });
    }
    const lat = (f: (ack: number, d: { at: number; created: number }) => number) =>
      [...doneAt].map(([deal, d]) => f(ackAt.get(deal) ?? NaN, d)).filter(Number.isFinite).sort((x, y) => x - y);

    // Duplicates among this batch's objects. A Jira issue's identity is its Baton labels (handoff + task) and type.
    const handoffIds = new Set(
      (await b.rt.store.db.selectFrom('handoffs').select('id').where('deal_id', 'in', batch).execute()).map((h) => `baton-${h.id}`),
    );
    const issueKeys = world.jira.state.issues
      .filter((i) => i.labels.some((l) => handoffIds.has(l)))
      .map((i) => `${i.issueType}:${i.labels.filter((l) => l.startsWith('baton-')).sort().join(',')}`);
    const channels = new Set(batch.map((_, k) => channelId(firstIndex + k)));
    const intros = world.slack.state.messages.filter((m) => m.metadata?.event_type === 'baton_handoff_intro' && channels.has(m.channel));
    const dealSet = new Set(batch);
    const notesPerDeal = new Map<string, number>();
    for (const n of world.hubspot.state.notes.values()) for (const d of n.dealIds) if (dealSet.has(d)) notesPerDeal.set(d, (notesPerDeal.get(d) ?? 0) + 1);

    const calls = { hubspot: after.hubspot - before.hubspot, jira: after.jira - before.jira, slack: after.slack - before.slack };
    const minimumS = rates ? Math.max(calls.hubspot / rates.hubspot, calls.jira / rates.jira) : null;
    const bottleneck = rates ? bottleneckUse(samples, before, rates, calls.hubspot / rates.hubspot >= calls.jira / rates.jira ? 'hubspot' : 'jira') : null;
    const perHandoff = (n: number) => r2(n / count);
    return {
      deals: count,
      workers: procs.length,
      rates,
      database,
      drainS: r1(drainS),
      handoffsPerSec: r1(progress.done / drainS),
      calls,
      callsPerHandoff: { hubspot: perHandoff(calls.hubspot), jira: perHandoff(calls.jira), slack: perHandoff(calls.slack), total: perHandoff(calls.hubspot + calls.jira + calls.slack) },
      minimumS: minimumS === null ? null : r1(minimumS),
      ceilingPerSec: minimumS === null ? null : r1(count / minimumS),
      ceilingRatio: minimumS === null ? null : r2(progress.done / drainS / (count / minimumS)),
      bottleneck,
      count429: { hubspot: after.h429 - before.h429, jira: after.j429 - before.j429, slack: after.s429 - before.s429 },
      duplicates: {
        jiraIssues: issueKeys.length - new Set(issueKeys).size,
        slackIntros: intros.length - new Set(intros.map((m) => m.channel)).size,
        hubspotNotes: [...notesPerDeal.values()].reduce((a, n) => a + Math.max(0, n - 1), 0),
      },
      done: progress.done,
      failed: progress.failed,
      unfinished: count - progress.done - progress.failed,
      ackToDoneMs: lat((ack, d) => d.at - ack),
      ackToRoutedMs: lat((ack, d) => d.created - ack),
      routedToDoneMs: lat((_ack, d) => d.at - d.created),
      workerPeakRssMb: await Promise.all(procs.map((p) => peakRssMb(p.child.pid))),
      workerCpuShare: workerCpuS.map((c) => r2(c / drainS)),
      workerCpuMsPerHandoff: Math.round((workerCpuS.reduce((a, c) => a + c, 0) * 1000) / Math.max(1, progress.done)),
      benchCpuShare: r2((cpu.user + cpu.system) / 1000 / (drainS * 1000)),
      ...(process.env.BENCH_DETAIL ? { detail: { hubspot: world.hubspot.state.requests, jira: world.jira.state.requests, slack: world.slack.state.requests } } : {}),
    };
  }

  async function close(): Promise<void> {
    const t = performance.now();
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
    await b.close();
    await world.close();
    await pg?.cleanup();
    phase(t, 'torn down');
  }

  return { setWorkers, drain, close };
}

/** One world, one batch: the drain scenario's shape. */
export async function runHandoffRun(opts: WorldOptions & { workers: number; arrival?: Arrival }): Promise<HandoffRunResult> {
  const w = await openHandoffWorld(opts);
  try {
    await w.setWorkers(opts.workers);
    return await w.drain(opts.deals, opts.arrival);
  } finally {
    await w.close();
  }
}

async function peakRssMb(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

/** utime + stime of a process, seconds (/proc/<pid>/stat fields 14 and 15, in clock ticks of 1/100 s). */
async function cpuSeconds(pid: number | undefined): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
}

/** Nearest-rank percentile of a sorted list. */
export const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

/** A run keeps its promise: every handoff done, nothing created twice. */
export function brokenPromises(r: HandoffRunResult, label: string): string[] {
  const out: string[] = [];
  const dup = r.duplicates.jiraIssues + r.duplicates.slackIntros + r.duplicates.hubspotNotes;
  if (dup > 0) out.push(`${label}: ${dup} duplicate external object(s) (Jira issues ${r.duplicates.jiraIssues}, Slack intros ${r.duplicates.slackIntros}, HubSpot notes ${r.duplicates.hubspotNotes})`);
  if (r.failed > 0) out.push(`${label}: ${r.failed} failed handoff(s)`);
  if (r.unfinished > 0) out.push(`${label}: ${r.unfinished} handoff(s) neither done nor failed at the deadline`);
  return out;
}

/** The API's calls/s ÷ its limit between the samples where it had served 10% and 90% of the batch's calls. */
function bottleneckUse(
  samples: { t: number; c: Record<'hubspot' | 'jira', number> }[],
  before: Record<'hubspot' | 'jira', number>,
  rates: Rates,
  api: 'hubspot' | 'jira',
): { api: 'hubspot' | 'jira'; utilisation: number } {
  const served = samples.map((x) => ({ t: x.t, n: x.c[api] - before[api] }));
  const total = served.at(-1)?.n ?? 0;
  const a = served.find((x) => x.n >= total * 0.1);
  const b = served.find((x) => x.n >= total * 0.9);
  if (!a || !b || b.t <= a.t) return { api, utilisation: 0 };
  return { api, utilisation: r2((b.n - a.n) / ((b.t - a.t) / 1000) / rates[api]) };
}
