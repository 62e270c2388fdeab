// The whole process against hostile stand-in APIs (test/standins/faults.ts): a dead Jira (500s, or requests
// that never answer within BATON_HTTP_TIMEOUT_MS) must not hold Asana and Slack back; the circuit breaker stops
// calling Jira after a few failures and parks its handoffs as delayed jobs, and when Jira recovers they finish
// with no duplicates. Also: a 429 storm (Retry-After honoured, no attempts burnt, breaker untouched) and answers
// that arrive too late or garbled for work that was nevertheless done (retried, found by marker, not repeated).
// live-limits-and-errors.test.ts covers pacing under the shared limiter and permanent errors.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBaton, waitFor, TEST_SECRET, type Harness } from '../helpers/baton-harness.js';
import { startWorld, PEOPLE, channelId } from '../helpers/standin-world.js';
import { ownAddressEnv } from '../helpers/free-port.js';
import { startAsanaStandin, STANDIN_TOKEN as ASANA_TOKEN, STANDIN_WORKSPACE } from '../standins/asana-standin.js';
import type { Fault } from '../standins/faults.js';
import { countHandoffs, listHandoffs } from '../../src/store/handoff-repo.js';
import { listAudit } from '../../src/store/audit-repo.js';

const JIRA_MAPPING = 'services-onboarding';
const ASANA_MAPPING = 'asana-onboarding';
const THRESHOLD = 3;
const OPEN_SECONDS = 2;
const CONCURRENCY = 2;

/** The default mapping for new business (Jira), and an Asana twin for existing business. */
async function twoMappings(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-hostile-'));
  const yaml = await readFile(join(process.cwd(), 'mappings', 'default.yaml'), 'utf8');
  const stage = /^ {2}stage: won.*$/m;
  expect(yaml).toMatch(stage);
  await writeFile(join(dir, 'jira.yaml'), yaml.replace(stage, (l) => `${l}\n  when: [{ field: deal.dealtype, equals: newbusiness }]`));
  await writeFile(
    join(dir, 'asana.yaml'),
    yaml
      .replace(stage, (l) => `${l}\n  when: [{ field: deal.dealtype, equals: existingbusiness }]`)
      .replace(`name: ${JIRA_MAPPING}`, `name: ${ASANA_MAPPING}`)
      .replace('tool: jira', 'tool: asana')
      .replace(/^ {2}project: .*$/m, '  project: Client onboarding'),
  );
  return dir;
}

/** Transitions the in-process breaker reported, as "to" → count, for one connector. */
async function transitions(b: Harness, connector: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await b.rt.metrics.circuitTransitions.get()).values) if (v.labels.connector === connector) out[String(v.labels.to)] = v.value;
  return out;
}

describe('hostile APIs (whole process, stand-ins)', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const deadJira: [string, Fault][] = [
    ['answers 500', { kind: 'error', status: 500 }],
    ['never answers within BATON_HTTP_TIMEOUT_MS', { kind: 'stall' }],
  ];
  it.each(deadJira)('a Jira that %s does not hold Asana and Slack back; the breaker bounds the calls; recovery finishes without duplicates', async (_what, fault) => {
    const JIRA_DEALS = 8;
    const ASANA_DEALS = 4;
    const world = await startWorld({ deals: JIRA_DEALS + ASANA_DEALS });
    cleanups.push(() => world.close());
    const asana = await startAsanaStandin({ token: ASANA_TOKEN, users: Object.values(PEOPLE).map((p) => p.email) });
    cleanups.push(() => asana.close());
    const asanaDeals = world.dealIds.slice(0, ASANA_DEALS);
    for (const id of asanaDeals) world.hubspot.state.deals.get(id)!.properties.dealtype = 'existingbusiness';
    const mappingsDir = await twoMappings();
    cleanups.push(() => rm(mappingsDir, { recursive: true, force: true }));
    const b = await startBaton({
      env: {
        ...world.env,
        ASANA_ACCESS_TOKEN: ASANA_TOKEN,
        ASANA_BASE_URL: asana.url,
        ASANA_WORKSPACE_GID: STANDIN_WORKSPACE,
        ASANA_REQUESTS_PER_SECOND: '50',
        JIRA_REQUESTS_PER_SECOND: '50',
        MAPPINGS_DIR: mappingsDir,
        ...(await ownAddressEnv()),
        BATON_WORKER_CONCURRENCY: String(CONCURRENCY),
        BATON_HTTP_TIMEOUT_MS: '1000',
        BATON_CIRCUIT_FAILURES: String(THRESHOLD),
        BATON_CIRCUIT_OPEN_SECONDS: String(OPEN_SECONDS),
        BATON_WATCH_POLL_SECONDS: '0',
        BATON_RECONCILE_EVERY_SECONDS: '0',
      },
    });
    cleanups.push(() => b.close());

    // Jira dies before the deals close.
    world.jira.faults.inject(fault);
    const t0 = Date.now();
    const events = world.dealIds.map((id) => world.hubspot.moveDealToStage(id, 'closedwon'));
    expect((await world.hubspot.sendWebhook(`${b.url}/webhooks/hubspot`, events, TEST_SECRET)).status).toBe(200);

    // Every Asana handoff finishes (work in Asana, intro in Slack, note in HubSpot) while Jira is still down.
    await waitFor(async () => (await countHandoffs(b.rt.store, { mapping: ASANA_MAPPING, status: 'done' })) === ASANA_DEALS, 'Asana handoffs done', 30_000);
    expect(await countHandoffs(b.rt.store, { mapping: JIRA_MAPPING, status: 'done' })).toBe(0);
    expect(asana.state.projects).toHaveLength(ASANA_DEALS);
    for (let i = 0; i < ASANA_DEALS; i++) expect(world.slack.state.messages.filter((m) => m.channel === channelId(i))).toHaveLength(1);

    // Keep Jira down until the breaker has probed it and re-opened at least once.
    await waitFor(async () => {
      const t = await transitions(b, 'jira');
      return (t['half-open'] ?? 0) >= 1 && (t.open ?? 0) >= 2;
    }, 'a failed probe re-opened the jira circuit', 20_000);
    const jiraCalls = world.jira.faults.count();
    const deadMs = Date.now() - t0;
    const t = await transitions(b, 'jira');
    // Bounded by the breaker, not by the number of handoffs or their retries: the failures that opened it (plus
    // requests already in flight on the other workers), then one probe per cooldown.
    expect(jiraCalls).toBeLessThanOrEqual(THRESHOLD + (CONCURRENCY - 1) + (t['half-open'] ?? 0));
    expect(t['half-open'] ?? 0).toBeLessThanOrEqual(Math.ceil(deadMs / (OPEN_SECONDS * 1000)) + 1);
    // The Jira handoffs were parked by the open circuit (delayed jobs), not run into the ground.
    const parked = (await listHandoffs(b.rt.store, { limit: 50, mapping: JIRA_MAPPING })).items;
    expect(parked).toHaveLength(JIRA_DEALS);
    const trails = await Promise.all(parked.map((h) => listAudit(b.rt.store, h.id)));
    expect(trails.filter((a) => a.some((e) => e.kind === 'step.retry' && /jira looks down \(circuit open/.test(e.message))).length).toBeGreaterThan(0);
    expect(parked.every((h) => h.status !== 'failed')).toBe(true);
    expect(world.jira.state.issues).toHaveLength(0);

    // Jira recovers: the probe closes the circuit and every parked handoff finishes, each effect once.
    world.jira.faults.clear();
    await waitFor(async () => (await countHandoffs(b.rt.store, { mapping: JIRA_MAPPING, status: 'done' })) === JIRA_DEALS, 'Jira handoffs done after recovery', 45_000);
    expect(await b.rt.connectors.breaker.inspect('jira')).toMatchObject({ state: 'closed', failures: 0 });
    expect((await transitions(b, 'jira')).closed).toBeGreaterThanOrEqual(1);
    const epics = world.jira.state.issues.filter((i) => i.issueType === 'Epic');
    expect(epics).toHaveLength(JIRA_DEALS);
    expect(new Set(epics.map((e) => e.labels.find((l) => l.startsWith('baton-') && !l.startsWith('baton-task-')))).size).toBe(JIRA_DEALS);
    expect(world.jira.state.issues.filter((i) => i.issueType === 'Task')).toHaveLength(JIRA_DEALS * 7);
    for (let i = 0; i < JIRA_DEALS + ASANA_DEALS; i++) expect(world.slack.state.messages.filter((m) => m.channel === channelId(i))).toHaveLength(1);
    expect(world.hubspot.state.notes.size).toBe(JIRA_DEALS + ASANA_DEALS);
    // Slack, Asana and HubSpot never saw a failure, so their circuits never moved.
    for (const c of ['slack', 'asana', 'hubspot']) expect(await transitions(b, c)).toEqual({});
  }, 120_000);

  it('a 429 storm: each Retry-After is honoured, no attempts are burnt, and 429s never open the circuit', async () => {
    const world = await startWorld({ deals: 1 });
    cleanups.push(() => world.close());
    const b = await startBaton({ env: { ...world.env, BATON_CIRCUIT_FAILURES: '2', BATON_CIRCUIT_OPEN_SECONDS: '60', BATON_WATCH_POLL_SECONDS: '0' } });
    cleanups.push(() => b.close());
    // More consecutive 429s than the breaker's threshold, each asking for 2 s.
    world.jira.faults.inject({ kind: 'rate-limit', retryAfterS: 2 }, { times: 4 });
    expect((await b.post([world.hubspot.moveDealToStage(world.dealIds[0]!, 'closedwon')])).status).toBe(200);
    const [h] = await waitFor(async () => {
      const rows = (await listHandoffs(b.rt.store, { limit: 1, status: 'done' })).items;
      return rows.length === 1 && rows;
    }, 'handoff done after the storm', 30_000);

    const hits = world.jira.faults.hits;
    expect(hits).toHaveLength(4);
    // Retry-After honoured: the job came back no sooner than Jira asked, each time.
    for (let i = 1; i < hits.length; i++) expect(hits[i]!.at - hits[i - 1]!.at).toBeGreaterThanOrEqual(2_000);
    const retries = (await listAudit(b.rt.store, h!.id)).filter((e) => e.kind === 'step.retry');
    expect(retries).toHaveLength(4);
    for (const e of retries) expect(e.message).toMatch(/^create-work: .*Jira rate-limited .*\(429 .*\); retrying in 2 s/);
    // Delays for Retry-After do not spend the job's attempts (8 with backoff): one attempt did it all.
    // The row says done just before the processor returns: wait for BullMQ to file the job as completed.
    const job = await waitFor(async () => (await b.rt.queues.handoff.getJobs(['completed']))[0], 'the handoff job completed', 10_000);
    expect(job.attemptsMade).toBe(1);
    expect(await transitions(b, 'jira')).toEqual({});
    expect(world.jira.state.issues.filter((i) => i.issueType === 'Epic')).toHaveLength(1);
  }, 60_000);

  it('answers too late (timeout) or garbled (not JSON) for work that was done: classified retryable, found by marker, not repeated', async () => {
    const world = await startWorld({ deals: 1 });
    cleanups.push(() => world.close());
    const b = await startBaton({ env: { ...world.env, BATON_HTTP_TIMEOUT_MS: '1000', BATON_WATCH_POLL_SECONDS: '0' } });
    cleanups.push(() => b.close());
    // Jira creates the epic but answers after Baton gave up; Slack posts the intro but the answer is cut in half.
    world.jira.faults.inject({ kind: 'slow', ms: 2_500 }, { match: /^POST \/rest\/api\/3\/issue$/, times: 1 });
    world.slack.faults.inject({ kind: 'malformed' }, { match: /chat\.postMessage$/, times: 1 });
    expect((await b.post([world.hubspot.moveDealToStage(world.dealIds[0]!, 'closedwon')])).status).toBe(200);
    const [h] = await waitFor(async () => {
      const rows = (await listHandoffs(b.rt.store, { limit: 1, status: 'done' })).items;
      return rows.length === 1 && rows;
    }, 'handoff done', 30_000);

    const audit = await listAudit(b.rt.store, h!.id);
    const retry = (step: string) => audit.filter((e) => e.kind === 'step.retry' && e.message.startsWith(`${step}:`));
    expect(retry('create-work')).toHaveLength(1);
    expect(retry('create-work')[0]!.message).toMatch(/did not answer .* in time \(timeout\); will retry/);
    expect(retry('post-intro')).toHaveLength(1);
    expect(retry('post-intro')[0]!.message).toMatch(/answer is not JSON .*will retry/);
    // The retries found what the first attempts had created.
    expect(world.jira.state.issues.filter((i) => i.issueType === 'Epic')).toHaveLength(1);
    expect(world.jira.state.issues.filter((i) => i.issueType === 'Task')).toHaveLength(7);
    expect(world.slack.state.messages).toHaveLength(1);
    expect(world.hubspot.state.notes.size).toBe(1);
    // One timeout is below the breaker's threshold, and the successes after it reset the count.
    expect(await b.rt.connectors.breaker.inspect('jira')).toMatchObject({ state: 'closed', failures: 0 });
  }, 60_000);
});
