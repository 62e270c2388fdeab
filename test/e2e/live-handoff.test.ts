// The whole process with live connectors against local stand-ins of HubSpot, Jira and Slack:
// a closed-won webhook becomes one epic + tasks + Blocks links, one intro in the client thread, the
// deal's Baton properties and one timeline note — and redeliveries change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaton, waitFor, TEST_SECRET, type Harness } from '../helpers/baton-harness.js';
import { startWorld, PEOPLE, channelId } from '../helpers/standin-world.js';
import { ownAddressEnv } from '../helpers/free-port.js';

const METRICS_TOKEN = 'metrics-token-for-the-test';

describe('closed-won with live connectors (stand-ins)', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  let b: Harness;
  beforeAll(async () => {
    world = await startWorld({ deals: 2 });
    b = await startBaton({ env: { ...world.env, ...(await ownAddressEnv()), BATON_METRICS_TOKEN: METRICS_TOKEN } });
  });
  afterAll(async () => {
    await b?.close();
    await world?.close();
  });

  it('creates every effect once, in the right places, and redeliveries change nothing', async () => {
    const dealId = world.dealIds[0]!;
    const event = world.hubspot.moveDealToStage(dealId, 'closedwon');
    const target = `${b.url}/webhooks/hubspot`;
    expect((await world.hubspot.sendWebhook(target, [event], TEST_SECRET)).status).toBe(200);
    const page = await waitFor(async () => {
      const p = await b.api('/api/handoffs');
      return p.items[0]?.status === 'done' && p;
    }, 'handoff done', 20_000);
    const h = await b.api(`/api/handoffs/${page.items[0].id}`);
    expect(h.steps.map((s: { status: string }) => s.status)).toEqual(['done', 'done', 'done', 'done']);
    // The document prints the deal type as HubSpot shows it (the property's option label), not the stored value.
    const fields = (h.document.sections as { fields: { label: string; value: string | null }[] }[]).flatMap((s) => s.fields);
    expect(fields.find((f) => f.label === 'Deal type')?.value).toBe('New Business');

    // Jira: one epic + 7 tasks under it, assignees by accountId, due dates, and Blocks links blocker → blocked.
    const issues = world.jira.state.issues;
    const epic = issues.filter((i) => i.issueType === 'Epic');
    expect(epic).toHaveLength(1);
    const tasks = issues.filter((i) => i.issueType === 'Task');
    expect(tasks).toHaveLength(7);
    expect(tasks.every((t) => t.parentKey === epic[0]!.key)).toBe(true);
    const byTask = (id: string) => tasks.find((t) => t.labels.includes(`baton-task-${id}`))!;
    expect(byTask('kickoff').assignee).toBe(PEOPLE.lead.jira);
    expect(byTask('kickoff').duedate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(world.jira.state.links).toContainEqual({ blocker: byTask('review-doc').key, blocked: byTask('kickoff').key });
    // The epic's description is the document as ADF; the hostile deal text is a text node, nothing more.
    expect(JSON.stringify(epic[0]!.description)).toContain('<!channel>');

    // Slack: one intro, in the client's channel, starting the client thread (no thread known before).
    const intros = world.slack.state.messages.filter((m) => m.metadata?.event_type === 'baton_handoff_intro');
    expect(intros).toHaveLength(1);
    expect(intros[0]!.channel).toBe(channelId(0));
    expect(intros[0]!.text).not.toMatch(/<!channel>|<!here>/);
    expect(intros[0]!.text).toContain(`<@${PEOPLE.lead.slack}>`);

    // HubSpot: Baton's properties on the deal and exactly one note associated to it.
    const deal = world.hubspot.state.deals.get(dealId)!;
    expect(deal.properties.baton_status).toBe('in_delivery');
    expect(deal.properties.baton_work_url).toBe(`${world.jira.url}/browse/${epic[0]!.key}`);
    expect(deal.properties.baton_client_thread_ts).toBe(intros[0]!.ts);
    expect(deal.properties.baton_handoff_url).toBe(`${b.env.BATON_PUBLIC_URL}/handoffs/${h.id}`);
    const notes = [...world.hubspot.state.notes.values()];
    expect(notes).toHaveLength(1);

    // HubSpot redelivers the batch (and Baton's own property writes come back as webhooks too).
    for (let i = 0; i < 3; i++) expect((await world.hubspot.sendWebhook(target, [{ ...event, attemptNumber: i + 1 }], TEST_SECRET)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(world.jira.state.issues).toHaveLength(8);
    expect(world.slack.state.messages.filter((m) => m.metadata?.event_type === 'baton_handoff_intro')).toHaveLength(1);
    expect(world.hubspot.state.notes.size).toBe(1);
  });

  it('reports what it did on /metrics (behind BATON_METRICS_TOKEN)', async () => {
    // Runs after the handoff above: one accepted batch and three redeliveries, plus one forged request now.
    expect((await world.hubspot.sendWebhook(`${b.url}/webhooks/hubspot`, [world.hubspot.moveDealToStage(world.dealIds[1]!, 'appointmentscheduled')], 'wrong-secret')).status).toBe(401);
    expect((await fetch(`${b.url}/metrics`)).status).toBe(401);
    const res = await fetch(`${b.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    expect(value('baton_webhooks_total{source="hubspot",outcome="accepted"}')).toBeGreaterThanOrEqual(4);
    expect(value('baton_webhooks_total{source="hubspot",outcome="bad_signature"}')).toBe(1);
    expect(value('baton_handoff_steps_total{step="create-work",outcome="done"}')).toBe(1);
    expect(value('baton_handoff_steps_total{step="post-intro",outcome="done"}')).toBe(1);
    expect(value('baton_jobs_total{queue="handoff",outcome="completed"}')).toBeGreaterThanOrEqual(1);
    expect(value('baton_job_duration_seconds_count{queue="handoff"}')).toBeGreaterThanOrEqual(1);
    // Outgoing calls by connector and status, as the stand-ins answered them (Jira creates answer 201).
    for (const series of ['connector="hubspot",status="200"', 'connector="jira",status="201"', 'connector="slack",status="200"']) {
      expect(value(`baton_external_requests_total{${series}}`)).toBeGreaterThan(0);
    }
    expect(value('baton_rate_limit_wait_seconds_count{connector="jira"}')).toBeGreaterThan(0);
    expect(value('baton_queue_jobs{queue="handoff",state="waiting"}')).toBe(0);
    // The scrape names no secret and no client text.
    for (const secret of [TEST_SECRET, METRICS_TOKEN]) expect(text).not.toContain(secret);
    expect(text).not.toContain('<!channel>');
  });
});
