// Dashboard pages with 10,000 handoffs in the store (issue #5: ≤ 100 ms at p95). Seeds a SQLite file and
// a PostgreSQL database (10,000 handoffs, 40,000 steps, and 70,000 live task statuses + 10,000 checks
// when the watching tables exist), starts a real `baton server` process on each, signs in through the
// form, then requests every page N times one at a time and N times 4 at a time (N = 200 alone, 100 in
// `npm run bench`): p50 / p95 / p99.
// Run alone: `npx tsx bench/dashboard-bench.ts` (prints a Markdown table).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { openStore, type Store } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrations.js';
import { hashPassword } from '../src/dashboard/auth/password-hash.js';
import { dashDb, watchTables } from '../src/dashboard/queries/dashboard-db.js';
import { defaultMapping, seedMany } from '../test/integration/dashboard/seed-handoffs.js';
import { waitHttp } from './wait-http.js';

const ADMIN = { name: 'bench', password: 'bench-password-123' };
const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface PageFigure {
  page: string;
  concurrency: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  requests: number;
}

export interface DashboardBenchResult {
  handoffs: number;
  /** Requests per page and concurrency, after the warm-up. */
  requests: number;
  seedS: Record<string, number>;
  /** The server process's peak RSS (VmHWM) after all pages, MB. */
  serverPeakRssMb: Record<string, number>;
  figures: Record<'sqlite' | 'postgres', PageFigure[]>;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

export async function seedWatch(store: Store, now: Date): Promise<void> {
  const t = await watchTables(store);
  if (!t.task_status || !t.watch_checks) return;
  const db = dashDb(store);
  const ids = (await db.selectFrom('handoffs').select(['id', 'closed_at']).execute()) as { id: string; closed_at: string }[];
  const tasks = ['assign-lead', 'review-doc', 'kickoff', 'confirm-scope', 'setup-billing', 'create-workspace', 'first-deliverable'];
  const today = now.toISOString().slice(0, 10);
  for (let start = 0; start < ids.length; start += 100) {
    const rows: Record<string, unknown>[] = [];
    const checks: Record<string, unknown>[] = [];
    ids.slice(start, start + 100).forEach((h, k) => {
      const i = start + k;
      tasks.forEach((task, j) => {
        const due = new Date(Date.parse(h.closed_at) + (j + 1) * 2 * 86_400_000).toISOString().slice(0, 10);
        // A year of history: work on deals closed over a month ago got done; recent ones have stragglers.
        const recent = Date.parse(h.closed_at) > now.getTime() - 30 * 86_400_000;
        const done = due < today && (!recent || (i + j) % 11 !== 0);
        rows.push({ handoff_id: h.id, task_id: task, tool: 'jira', external_id: `${i}-${j}`, external_key: `DEL-${i * 10 + j}`, url: null, status_name: done ? 'Done' : 'To Do', category: done ? 'done' : 'todo', assignee: null, due_date: due, started_at: null, done_at: done ? `${due}T15:00:00.000Z` : null, observed_at: now.toISOString(), source: 'bench' });
      });
      checks.push({ handoff_id: h.id, trigger_id: 'kickoff-late', mapping: 'services-onboarding', status: i % 29 === 0 ? 'pending' : 'resolved', rung: 1, round: 0, due_at: now.toISOString(), since: h.closed_at, last_fired_at: i % 29 === 0 ? now.toISOString() : null, acked_by: null, acked_at: null, snoozed_by: null, snoozed_until: null, note: null, created_at: h.closed_at, updated_at: h.closed_at });
    });
    await db.insertInto('task_status').values(rows).execute();
    await db.insertInto('watch_checks').values(checks).execute();
  }
}

async function signIn(base: string): Promise<string> {
  const page = await fetch(`${base}/login`);
  const nonce = page.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: nonce },
    body: new URLSearchParams({ _csrf: csrf, name: ADMIN.name, password: ADMIN.password, next: '/' }),
  });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
}

async function measure(base: string, cookie: string, path: string, requests: number, concurrency: number): Promise<PageFigure> {
  const once = async () => {
    const t = performance.now();
    const r = await fetch(base + path, { headers: { cookie, accept: 'text/html' } });
    const body = await r.text();
    if (r.status !== 200 || body.length < 500) throw new Error(`${path}: ${r.status}`);
    return performance.now() - t;
  };
  for (let i = 0; i < 20; i++) await once(); // warm-up: JIT, statement caches, filter-option cache
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < requests) times.push(await once());
    }),
  );
  times.sort((a, b) => a - b);
  const r1 = (n: number) => Math.round(n * 10) / 10;
  return { page: path, concurrency, p50: r1(quantile(times, 0.5)), p95: r1(quantile(times, 0.95)), p99: r1(quantile(times, 0.99)), max: r1(times.at(-1)!), requests: times.length };
}

async function runOne(kind: 'sqlite' | 'postgres', count: number, port: number, requests: number): Promise<{ figures: PageFigure[]; seedS: number; peakRssMb: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-dash-bench-'));
  let databaseUrl = `sqlite:${join(dir, 'bench.db')}`;
  let dropDb = async () => {};
  if (kind === 'postgres') {
    const name = `baton_bench_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const u = new URL(PG_ADMIN_URL);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
    dropDb = async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
  }
  const now = new Date();
  const t0 = performance.now();
  const store = openStore({ databaseUrl, dataDir: dir });
  await migrateToLatest(store);
  await seedMany(store, await defaultMapping(), count, now);
  await seedWatch(store, now);
  // Steady state as autovacuum leaves it: statistics and a visibility map (index-only scans).
  if (kind === 'postgres') await (await import('kysely')).sql`vacuum analyze`.execute(store.db);
  const someId = ((await store.db.selectFrom('handoffs').select('id').where('status', '=', 'failed').limit(1).executeTakeFirstOrThrow()) as { id: string }).id;
  await store.close();
  const seedS = Math.round((performance.now() - t0) / 100) / 10;

  const users = JSON.stringify([{ name: ADMIN.name, role: 'admin', hash: await hashPassword(ADMIN.password) }]);
  const env = {
    ...process.env,
    PORT: String(port),
    BATON_HOST: '127.0.0.1',
    BATON_PUBLIC_URL: `http://127.0.0.1:${port}`,
    BATON_QUEUE_PREFIX: `dbench${randomBytes(4).toString('hex')}`,
    DATABASE_URL: databaseUrl,
    BATON_USERS: users,
    BATON_SESSION_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  };
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'server'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitHttp(`${base}/readyz`);
    const cookie = await signIn(base);
    const pages: [string, string][] = [
      ['/', '/'],
      ['/?state=all&page=150', '/?state=all&page=150'],
      ['/?state=attention', '/?state=attention'],
      ['/?rep=…&lead=…&state=all', '/?rep=ana.rep%40baton.example&lead=omar.lead%40baton.example&state=all'],
      ['/handoffs/:id', `/handoffs/${someId}`],
      ['/insights', '/insights'],
      ['/admin', '/admin'],
    ];
    const figures: PageFigure[] = [];
    for (const [label, path] of pages) {
      figures.push({ ...(await measure(base, cookie, path, requests, 1)), page: label });
      figures.push({ ...(await measure(base, cookie, path, requests, 4)), page: label });
    }
    const status = await readFile(`/proc/${server.pid}/status`, 'utf8').catch(() => '');
    return { figures, seedS, peakRssMb: Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024) };
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await dropDb();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function runDashboardBench(opts: { handoffs?: number; requests?: number } = {}): Promise<DashboardBenchResult> {
  const handoffs = opts.handoffs ?? 10_000;
  const requests = opts.requests ?? 200;
  const sqlite = await runOne('sqlite', handoffs, 3931, requests);
  const postgres = await runOne('postgres', handoffs, 3932, requests);
  return {
    handoffs,
    requests,
    seedS: { sqlite: sqlite.seedS, postgres: postgres.seedS },
    serverPeakRssMb: { sqlite: sqlite.peakRssMb, postgres: postgres.peakRssMb },
    figures: { sqlite: sqlite.figures, postgres: postgres.figures },
  };
}

export function dashboardTable(r: DashboardBenchResult): string {
  const cell = (f: PageFigure | undefined) => (f ? `${f.p50} / ${f.p95} / ${f.p99}` : '—');
  const pages = [...new Set(r.figures.sqlite.map((f) => f.page))];
  const pick = (kind: 'sqlite' | 'postgres', page: string, c: number) => r.figures[kind].find((f) => f.page === page && f.concurrency === c);
  const lines = [
    `Dashboard pages, ${r.handoffs.toLocaleString('en-US')} handoffs; one \`baton server\` process, signed in; ${r.requests} requests per page one at a time (a person loading a page), then ${r.requests} with 4 in flight (a busy team); after 20 warm-up requests. Milliseconds, p50 / p95 / p99:`,
    '',
    '| page | SQLite, 1 at a time | SQLite, 4 at a time | PostgreSQL, 1 at a time | PostgreSQL, 4 at a time |',
    '| --- | --- | --- | --- | --- |',
    ...pages.map(
      (p) =>
        `| \`${p}\` | ${cell(pick('sqlite', p, 1))} | ${cell(pick('sqlite', p, 4))} | ${cell(pick('postgres', p, 1))} | ${cell(pick('postgres', p, 4))} |`,
    ),
    '',
    `Target: p95 ≤ 100 ms. Seeding took ${r.seedS.sqlite} s (SQLite) and ${r.seedS.postgres} s (PostgreSQL).`,
  ];
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await runDashboardBench({ handoffs: Number(process.env.BENCH_HANDOFFS ?? 10_000), requests: Number(process.env.BENCH_REQUESTS ?? 200) });
  console.log(dashboardTable(r));
}
