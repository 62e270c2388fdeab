// Escalation checks at scale: 100,000 pending checks in Redis (the real job shape and options), then a
// steady 200 checks per second coming due for 30 s while those wait, fired by one `baton worker` process
// (real BullMQ, SQLite store, dry-run Slack: each check reads the store, claims its rung, records the
// message). Reports Redis memory per pending check, how late checks fire (sent_at − due_at, p50/p99) and
// the worker's RSS.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { openStore } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrations.js';
import { checkJob } from '../jobs/escalation/check-jobs.js';
import { QUEUE_NAMES } from '../src/queue/queues.js';
import { newCheckRow } from '../src/store/escalation-repo.js';

export interface EscalationBenchResult {
  pending: number;
  bytesPerPending: number;
  jobHashBytes: number;
  due: number;
  ratePerSec: number;
  fired: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Due → the rung's claim row (pickup and the live reads before it). */
  claimP50Ms: number;
  claimP99Ms: number;
  workerRssMb: number;
  workerPeakRssMb: number;
}

const MAPPING = `name: bench-watch
trigger: { stage: never-a-stage }
people:
  lead: { email: lead@bench.example }
document:
  title: "Bench {{ deal.dealname }}"
  sections:
    scope:
      - { label: Scope, field: deal.scope }
work:
  tool: jira
  project: DEL
  parent: { summary: Bench }
  tasks:
    - { id: kickoff, summary: Kickoff, assignee: lead, due: 1 business day }
escalations:
  - { id: stall, after: 1 hour, notify: [lead], channel: C0BENCH01 }
`;

export async function runEscalationBench(opts: { pending?: number; ratePerSec?: number; durationS?: number } = {}): Promise<EscalationBenchResult> {
  const pending = opts.pending ?? 100_000;
  const ratePerSec = opts.ratePerSec ?? 200;
  const due = ratePerSec * (opts.durationS ?? 30);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const dir = await mkdtemp(join(tmpdir(), 'baton-esc-bench-'));
  const prefix = `escbench${randomBytes(4).toString('hex')}`;
  const databaseUrl = `sqlite:${join(dir, 'bench.db')}`;
  await writeFile(join(dir, 'bench-watch.yaml'), MAPPING);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  // As createQueues makes it: the watch queue has no default job options.
  const queue = new Queue(QUEUE_NAMES.watch, { connection: redis, prefix });
  const store = openStore({ databaseUrl, dataDir: dir });
  await migrateToLatest(store);
  let worker: ReturnType<typeof spawn> | undefined;
  try {
    // 1. Memory: 100,000 checks pending (due in a day and later), added exactly as the scheduler adds them.
    const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
    await queue.waitUntilReady();
    await queue.add('warmup', {}, { jobId: 'warmup', delay: 86_400_000 }); // queue meta keys exist before measuring
    const before = await usedMemory();
    const now = Date.now();
    for (let i = 0; i < pending; i += 1_000) {
      const batch = Array.from({ length: Math.min(1_000, pending - i) }, (_, k) =>
        checkJob({ id: 10_000_000 + i + k, handoffId: randomUUID(), triggerId: 'kickoff-not-scheduled', rung: 0, round: 0, dueAt: new Date(now + 86_400_000 + (i + k) * 1_000).toISOString() }, now),
      );
      await queue.addBulk(batch);
    }
    const after = await usedMemory();
    const sample = checkJob({ id: 99_999_999, handoffId: randomUUID(), triggerId: 'kickoff-not-scheduled', rung: 0, round: 0, dueAt: new Date(now + 2 * 86_400_000).toISOString() }, now);
    await queue.add(sample.name, sample.data, sample.opts);
    const jobHashBytes = Number(await redis.call('MEMORY', 'USAGE', `${prefix}:${QUEUE_NAMES.watch}:${sample.opts.jobId}`, 'SAMPLES', '0'));

    // 2. Handoffs whose checks come due at a steady rate, on top of the 100,000 pending ones.
    const closedAt = new Date().toISOString();
    const ids = Array.from({ length: due }, () => randomUUID());
    for (let i = 0; i < ids.length; i += 200) {
      await store.db
        .insertInto('handoffs')
        .values(
          ids.slice(i, i + 200).map((id, k) => ({
            id,
            crm: 'hubspot',
            account_id: '1',
            deal_id: String(1_000_000 + i + k),
            mapping: 'bench-watch',
            phase: 'closed' as const,
            status: 'done' as const,
            title: `Bench ${i + k}`,
            deal_name: null,
            document: JSON.stringify({ title: 'Bench', sections: [], complete: true, missing: [] }),
            complete: 1 as const,
            missing: '[]',
            plan: JSON.stringify({ work: { tool: 'jira', project: 'DEL', parent: { summary: 'B' }, tasks: [] }, intro: {}, people: { lead: { role: 'lead', email: 'lead@bench.example', name: null, source: 'static' } }, kickoffDue: null, calendar: { timezone: 'UTC', holidays: null } }),
            deal: null,
            closed_at: closedAt,
            created_at: closedAt,
            updated_at: closedAt,
            last_error: null,
          })),
        )
        .execute();
    }

    // 3. The worker process (as `baton worker`), started before the first check is due.
    const env: Record<string, string | undefined> = {
      ...process.env,
      REDIS_URL: redisUrl,
      BATON_QUEUE_PREFIX: prefix,
      DATABASE_URL: databaseUrl,
      BATON_DATA_DIR: dir,
      MAPPINGS_DIR: dir,
      BATON_WATCH_POLL_SECONDS: '0',
      BATON_RECONCILE_EVERY_SECONDS: '0',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    };
    for (const k of ['SLACK_BOT_TOKEN', 'JIRA_BASE_URL', 'ASANA_ACCESS_TOKEN', 'HUBSPOT_ACCESS_TOKEN']) delete env[k];
    worker = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'worker'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    const pid = worker.pid!;
    await waitFor(async () => (await redis.keys(`${prefix}:${QUEUE_NAMES.watch}:stalled-check`)).length > 0 || (await queue.getWorkersCount()) > 0, 'worker ready');

    const t0 = Date.now() + 5_000;
    const rows = ids.map((id, i) =>
      newCheckRow({ handoffId: id, triggerId: 'stall', mapping: 'bench-watch', dueAt: new Date(t0 + Math.floor((i * 1000) / ratePerSec)).toISOString(), since: closedAt }, closedAt),
    );
    for (let i = 0; i < rows.length; i += 200) await store.db.insertInto('watch_checks').values(rows.slice(i, i + 200)).execute();
    const checkIds = new Map((await store.db.selectFrom('watch_checks').select(['id', 'handoff_id']).execute()).map((r) => [r.handoff_id, Number(r.id)]));
    const nowAdd = Date.now();
    for (let i = 0; i < rows.length; i += 1_000) {
      await queue.addBulk(rows.slice(i, i + 1_000).map((r) => checkJob({ id: checkIds.get(r.handoff_id)!, handoffId: r.handoff_id, triggerId: r.trigger_id, rung: 0, round: 0, dueAt: r.due_at }, nowAdd)));
    }
    if (Date.now() > t0) throw new Error('seeding took longer than the lead time: the first checks would be late before the bench starts');

    let peakKb = 0;
    const rss = async () => {
      const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
      const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      peakKb = Math.max(peakKb, kb('VmHWM'));
      return kb('VmRSS');
    };
    const lastDue = Date.parse(rows.at(-1)!.due_at);
    let fired = 0;
    while (Date.now() < lastDue + 60_000) {
      await rss();
      fired = Number((await store.db.selectFrom('escalations').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'sent').executeTakeFirstOrThrow()).n);
      if (fired >= due) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const rssKb = await rss();

    // Lateness: when the rung was recorded as sent (the message handed to Slack), minus when its check was due.
    const byId = new Map<string, number>(rows.map((r) => [r.handoff_id, Date.parse(r.due_at)]));
    const fires = await store.db.selectFrom('escalations').select(['handoff_id', 'sent_at', 'claimed_at']).execute();
    const sorted = (xs: number[]) => xs.filter(Number.isFinite).sort((a, b) => a - b);
    const late = sorted(fires.map((e) => Date.parse(e.sent_at ?? e.claimed_at) - (byId.get(e.handoff_id) ?? NaN)));
    // The claim is the first write of a fired check: due → claim is the queue's part, claim → sent is Baton's work.
    const claimLate = sorted(fires.map((e) => Date.parse(e.claimed_at) - (byId.get(e.handoff_id) ?? NaN)));
    const at = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
    const pct = (p: number) => at(late, p);
    return {
      pending,
      bytesPerPending: Math.round((after - before) / pending),
      jobHashBytes,
      due,
      ratePerSec,
      fired: late.length,
      p50Ms: Math.round(pct(50)),
      p99Ms: Math.round(pct(99)),
      maxMs: Math.round(late.at(-1) ?? NaN),
      claimP50Ms: Math.round(at(claimLate, 50)),
      claimP99Ms: Math.round(at(claimLate, 99)),
      workerRssMb: Math.round(rssKb / 1024),
      workerPeakRssMb: Math.round(peakKb / 1024),
    };
  } finally {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((r) => worker!.once('exit', r));
    }
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    const keys = await redis.keys(`${prefix}:*`);
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    redis.disconnect();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function waitFor(fn: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// `npx tsx bench/escalation-bench.ts` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runEscalationBench();
  console.log(JSON.stringify(r, null, 2));
}
