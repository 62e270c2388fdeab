// `npm run demo`: start Baton with dry-run connectors, send it signed HubSpot webhooks for two sample
// deals (one complete, one incomplete; one delivered three times), and print what Baton did.
// Keeps running afterwards so the API can be explored; `--exit` stops after printing (used by tests).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readConfigOrReport } from '../cli/read-config.js';
import type { BatonConfig } from '../config/read-env-options.js';
import { buildRuntime } from '../runtime/build-runtime.js';
import { startServer } from '../runtime/start-server.js';
import { startWorkers } from '../runtime/start-workers.js';
import { DEMO_SIGNATURE_VERSIONS, postDemoWebhooks } from './demo-webhooks.js';
import { randomBytes } from 'node:crypto';
import { hashPassword } from '../dashboard/auth/password-hash.js';
import { processEnv, type Env } from '../config/environment.js';
import { acquireDemoLock, demoQueuePrefix } from './demo-lock.js';
import { reportStartupFailure } from '../cli/report-startup-failure.js';

const exitWhenDone = process.argv.includes('--exit');

const { env, demoPassword } = await demoSettings(processEnv());

/** The demo's settings over this process's environment, passed to the config explicitly (the environment is never written). */
async function demoSettings(given: Env): Promise<{ env: Env; demoPassword: string | null }> {
  // The dashboard needs a user: without BATON_USERS the demo makes a one-off admin with a random password.
  let demoPassword: string | null = null;
  let users = given.BATON_USERS;
  if (!users) {
    demoPassword = randomBytes(9).toString('base64url');
    users = `demo:admin:${await hashPassword(demoPassword)}`;
  }
  const env: Env = {
    ...given,
    // The demo signs its own webhooks, so it needs a client secret and an API token: invent local ones
    // when none are set. Real credentials, when present, are used as they are.
    HUBSPOT_CLIENT_SECRET: given.HUBSPOT_CLIENT_SECRET || 'demo-client-secret-not-for-production',
    BATON_API_TOKEN: given.BATON_API_TOKEN || 'demo-api-token',
    // The demo's first webhook is a workflow "Send a webhook" action, which HubSpot signs with v2 (no
    // timestamp): like an operator using workflow webhooks, the demo enables v2 beside v3.
    HUBSPOT_SIGNATURE_VERSIONS: given.HUBSPOT_SIGNATURE_VERSIONS || DEMO_SIGNATURE_VERSIONS,
    BATON_SAMPLE_DEALS_DIR: given.BATON_SAMPLE_DEALS_DIR || join(process.cwd(), 'mappings', 'samples'),
    // Its own queue prefix per data directory: two demos sharing a Redis never touch each other's queues.
    BATON_QUEUE_PREFIX: given.BATON_QUEUE_PREFIX || demoQueuePrefix(given.BATON_DATA_DIR || './data'),
    DATABASE_URL: given.DATABASE_URL || `sqlite:${join(given.BATON_DATA_DIR || './data', 'demo.db')}`,
    LOG_LEVEL: given.LOG_LEVEL || 'warn',
    BATON_USERS: users,
    BATON_SESSION_SECRET: given.BATON_SESSION_SECRET || randomBytes(32).toString('base64url'),
  };
  return { env, demoPassword };
}

async function main() {
  const config = readConfigOrReport(process.stderr, env);
  if (!config) process.exit(1);
  let started;
  try {
    // Only the demo holding its data directory's lock may wipe that directory's database and its queues.
    acquireDemoLock(config.dataDir, config.publicUrl);
    started = await startFresh(config);
  } catch (e) {
    reportStartupFailure(e, process.stderr, config);
    process.exit(1);
  }
  const { rt, server, workers } = started;
  const base = server.url;

  console.log(`\nBaton is running at ${base} (dry-run connectors: nothing leaves this machine)\n`);
  console.log('Sending HubSpot webhooks:');
  await postDemoWebhooks({ base, publicUrl: config.publicUrl, clientSecret: config.hubspot.clientSecret!, report: (label, status, body) => console.log(`  ${label.padEnd(62)} → ${status} ${body}`) });

  const handoffs = await waitForHandoffs(base, config.apiToken!, 2);
  console.log(`\n${handoffs.length} handoff(s):`);
  for (const h of handoffs) {
    const full = (await api(base, config.apiToken!, `/api/handoffs/${h.id}`)) as HandoffDetail;
    console.log(`\n■ ${full.title}  [${full.status}]  mapping ${full.mapping}, deal ${full.dealId}`);
    console.log(`  document: ${full.complete ? 'complete' : `INCOMPLETE, missing: ${full.missing.map((m) => m.label).join(', ')}`}`);
    for (const s of full.steps) console.log(`  step ${s.stepId.padEnd(16)} ${s.status.padEnd(8)} attempts ${s.attempts}`);
    for (const r of full.dryRuns) console.log(`  dry-run ${r.connector}.${r.action}: ${summarise(r.payload)}`);
  }
  console.log(`\nExplore: curl -H 'Authorization: Bearer ${config.apiToken === 'demo-api-token' ? 'demo-api-token' : '$BATON_API_TOKEN'}' ${base}/api/handoffs`);
  console.log(`Preview a mapping: npm run baton -- preview --mapping services-onboarding --deal mappings/samples/1001.json`);
  console.log(`Dashboard: ${base}/ ${demoPassword ? `(sign in as demo / ${demoPassword})` : '(sign in as a user from BATON_USERS)'}`);
  console.log(`Metrics: ${base}/metrics`);

  if (exitWhenDone) {
    await server.close();
    await workers.close();
    await rt.close();
    process.exit(0);
  }
  console.log('\nBaton keeps running; Ctrl-C to stop.');
  const stop = async () => {
    await server.close();
    await workers.close();
    await rt.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

/** A fresh demo each run: an empty SQLite file and empty queues, then the server and the workers. */
async function startFresh(config: BatonConfig) {
  if (config.databaseUrl?.startsWith('sqlite:')) {
    const file = config.databaseUrl.slice('sqlite:'.length);
    await Promise.all(['', '-wal', '-shm'].map((s) => rm(file + s, { force: true })));
  }
  const rt = await buildRuntime(config, { env });
  await Promise.all(rt.queues.all().map((q) => q.obliterate({ force: true })));
  const server = await startServer(rt);
  const workers = await startWorkers(rt);
  return { rt, server, workers };
}

interface HandoffDetail {
  id: string;
  title: string;
  status: string;
  mapping: string;
  dealId: string;
  complete: boolean;
  missing: { label: string }[];
  steps: { stepId: string; status: string; attempts: number }[];
  dryRuns: { connector: string; action: string; payload: Record<string, unknown> }[];
}

async function api(base: string, token: string, path: string): Promise<unknown> {
  const res = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.json();
}

async function waitForHandoffs(base: string, token: string, n: number): Promise<{ id: string }[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const page = (await api(base, token, '/api/handoffs')) as { items: { id: string; status: string }[] };
    const settled = page.items.filter((h) => h.status === 'done' || h.status === 'failed');
    if (settled.length >= n || Date.now() > deadline) return page.items;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function summarise(payload: Record<string, unknown>): string {
  if (Array.isArray(payload.tasks)) {
    const requests = payload.requests as { links?: unknown[] } | unknown[] | undefined;
    const links = Array.isArray(requests) ? requests.filter((r) => String((r as { path: string }).path).endsWith('addDependencies')).length : (requests?.links?.length ?? 0);
    return `project ${String(payload.project)}: 1 parent, ${payload.tasks.length} tasks, ${links} "Blocks" links`;
  }
  if (typeof payload.text === 'string') return `${String(payload.channel)}${payload.thread_ts ? ` (thread ${String(payload.thread_ts)})` : ''}: ${payload.text.slice(0, 90).replace(/\n/g, ' ')}…`;
  if (payload.properties) return `deal ${String(payload.dealId)} ← ${JSON.stringify(payload.properties)}`;
  return JSON.stringify(payload).slice(0, 100);
}

await main();
