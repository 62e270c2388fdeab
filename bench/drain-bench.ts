// 1,000 closed-won deals against local HubSpot, Jira and Slack stand-ins that enforce rate limits with
// 429 + Retry-After. Baton runs one in-process server and N `baton worker` processes with live connectors.
// Reports the drain time against the theoretical minimum (calls each API served ÷ its limit, the slowest
// API decides), plus duplicates and failed handoffs counted in the stand-ins and the store.
import { startBaton, TEST_SECRET } from '../test/helpers/baton-harness.js';
import { startWorld } from '../test/helpers/standin-world.js';
import { freePort } from '../test/helpers/free-port.js';
import { spawnWorker } from '../test/helpers/spawn-worker.js';
import { countHandoffs } from '../src/store/handoff-repo.js';

export interface DrainResult {
  deals: number;
  workers: number;
  rates: { hubspot: number; jira: number };
  drainS: number;
  minimumS: number;
  ratio: number;
  calls: { hubspot: number; jira: number; slack: number };
  count429: { hubspot: number; jira: number; slack: number };
  duplicates: { jiraParents: number; slackIntros: number; hubspotNotes: number };
  failed: number;
  done: number;
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

export async function runDrainBench(opts: { deals?: number; workers?: number; hubspotPerSecond?: number; jiraPerSecond?: number } = {}): Promise<DrainResult> {
  const deals = opts.deals ?? 1000;
  const workers = opts.workers ?? 2;
  const rates = { hubspot: opts.hubspotPerSecond ?? 60, jira: opts.jiraPerSecond ?? 100 };
  const world = await startWorld({ deals, rates: { hubspot: rates.hubspot, jira: rates.jira, slackPerChannel: 1 } });
  const port = await freePort();
  // Baton is configured a little under each API's limit, as an operator would ("stay just under yours").
  const env = {
    ...world.env,
    PORT: String(port),
    BATON_PUBLIC_URL: `http://127.0.0.1:${port}`,
    HUBSPOT_REQUESTS_PER_SECOND: String(rates.hubspot * 0.97),
    JIRA_REQUESTS_PER_SECOND: String(rates.jira * 0.97),
    BATON_WORKER_CONCURRENCY: '25',
    LOG_LEVEL: 'error',
  };
  const b = await startBaton({ workers: false, env });
  const procs = Array.from({ length: workers }, () => spawnWorker({ ...b.env, LOG_LEVEL: 'error' }));
  try {
    await new Promise((r) => setTimeout(r, 2_000)); // workers connect
    const t0 = Date.now();
    const target = `${b.url}/webhooks/hubspot`;
    for (let i = 0; i < deals; i += 20) {
      const events = world.dealIds.slice(i, i + 20).map((id) => world.hubspot.moveDealToStage(id, 'closedwon'));
      const res = await world.hubspot.sendWebhook(target, events, TEST_SECRET);
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${res.body}`);
    }
    let done = 0;
    let failed = 0;
    const deadline = Date.now() + 15 * 60_000;
    for (;;) {
      done = await countHandoffs(b.rt.store, { status: 'done' });
      failed = await countHandoffs(b.rt.store, { status: 'failed' });
      if (done + failed >= deals || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const drainS = (Date.now() - t0) / 1000;
    const hsCalls = sum(world.hubspot.state.requests) - world.hubspot.state.count429;
    const jiraCalls = sum(world.jira.state.requests);
    const slackCalls = sum(world.slack.state.requests);
    const minimumS = Math.max(hsCalls / rates.hubspot, jiraCalls / rates.jira);
    const parents = world.jira.state.issues.filter((i) => i.issueType === 'Epic');
    const intros = world.slack.state.messages.filter((m) => m.metadata?.event_type === 'baton_handoff_intro');
    return {
      deals,
      workers,
      rates,
      drainS: Math.round(drainS * 10) / 10,
      minimumS: Math.round(minimumS * 10) / 10,
      ratio: Math.round((drainS / minimumS) * 100) / 100,
      calls: { hubspot: hsCalls, jira: jiraCalls, slack: slackCalls },
      ...(process.env.BENCH_DETAIL ? { detail: { hubspot: world.hubspot.state.requests, jira: world.jira.state.requests, slack: world.slack.state.requests } } : {}),
      count429: { hubspot: world.hubspot.state.count429, jira: world.jira.state.count429, slack: world.slack.state.count429 },
      duplicates: {
        jiraParents: parents.length - new Set(parents.map((p) => p.labels.find((l) => /^baton-[0-9a-f-]{36}$/.test(l)))).size,
        slackIntros: intros.length - new Set(intros.map((m) => m.channel)).size,
        hubspotNotes: world.hubspot.state.notes.size - Math.min(world.hubspot.state.notes.size, done + failed),
      },
      failed,
      done,
    };
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
    await b.close();
    await world.close();
  }
}

if (process.argv[1]?.endsWith("drain-bench.ts")) {
  const deals = Number(process.env.DEALS ?? 1000);
  console.log(JSON.stringify(await runDrainBench({ deals, workers: Number(process.env.WORKERS ?? 2) }), null, 2));
}
