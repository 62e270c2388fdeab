// The feedback loop end to end: a delayed job DMs the delivery lead (button + signed web form link), the
// button opens the Slack modal, answers are checked, stored once, sent to the rep, and logged as a note on
// the HubSpot deal (HubSpot stand-in, live writer); one reminder when unanswered; the web form fallback;
// aggregates for the dashboard.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/baton-harness.js';
import { PEOPLE, sleep, startWatchWorld, watchMapping, type WatchWorld } from './watch-world.js';
import { startHubSpotStandin, type HubSpotStandin } from '../../standins/hubspot-standin.js';
import { feedbackAggregates, getFeedbackRequest } from '../../../src/store/feedback-repo.js';
import { listAudit } from '../../../src/store/audit-repo.js';

const FORM_SECRET = 'feedback-form-secret-abcdef';
const MAPPING = watchMapping('watch-feedback', `feedback:\n  after: 1 second\n  ask: project_lead`);
const dm = (user: string) => `D${user.slice(1)}`;

describe('feedback round trip', () => {
  let w: WatchWorld;
  let hubspot: HubSpotStandin;
  beforeAll(async () => {
    hubspot = await startHubSpotStandin();
    w = await startWatchWorld({
      mappings: { 'watch-feedback': MAPPING },
      env: {
        BATON_FEEDBACK_FORM_SECRET: FORM_SECRET,
        BATON_FEEDBACK_REMINDER: '2 seconds',
        HUBSPOT_ACCESS_TOKEN: hubspot.accessToken,
        HUBSPOT_API_BASE_URL: hubspot.url,
        HUBSPOT_PORTAL_ID: String(hubspot.portalId),
        BATON_RECONCILE_EVERY_SECONDS: '0',
      },
    });
  });
  afterEach(() => {
    nock.cleanAll();
  });
  afterAll(async () => {
    nock.restore();
    await w.close();
    await hubspot.close();
  });

  const leadDms = () => w.slack.state.messages.filter((m) => m.channel === dm(PEOPLE.lead.slack));
  const repDms = () => w.slack.state.messages.filter((m) => m.channel === dm(PEOPLE.rep.slack));

  it('Slack modal: ask → modal → errors shown → answers stored once, sent to the rep, noted on the deal', async () => {
    hubspot.addDeal({ id: '8501', properties: { dealname: 'Support onboarding', dealstage: 'closedwon', pipeline: 'default' } });
    const { handoff } = await w.seed({ mapping: 'watch-feedback', dealId: '8501' });
    expect((await getFeedbackRequest(w.b.rt.store, handoff.id))?.status).toBe('scheduled');

    const ask = await waitFor(async () => leadDms().find((m) => JSON.stringify(m.blocks ?? []).includes(handoff.id)), 'feedback DM', 30_000);
    const blocks = JSON.stringify(ask.blocks);
    expect(blocks).toContain('baton_feedback_open');
    expect(blocks).toContain(`https://baton.test/feedback/${handoff.id}.`);
    expect((await getFeedbackRequest(w.b.rt.store, handoff.id))?.status).toBe('asked');

    // The button opens the modal with the mapping's (default) questions.
    let view: Record<string, unknown> | undefined;
    const slackHost = new URL(w.slack.url).origin;
    const scope = nock(slackHost, { allowUnmocked: true })
      .post('/api/views.open', (body) => {
        view = (typeof body.view === 'string' ? JSON.parse(body.view) : body.view) as Record<string, unknown>;
        return body.trigger_id === 'trigger-123';
      })
      .reply(200, { ok: true, view: { id: 'V1' } });
    const opened = await w.interact({ type: 'block_actions', trigger_id: 'trigger-123', user: { id: PEOPLE.lead.slack, name: 'leo' }, actions: [{ action_id: 'baton_feedback_open', value: handoff.id }] });
    expect(opened.status).toBe(200);
    expect(scope.isDone()).toBe(true);
    expect(view).toMatchObject({ type: 'modal', callback_id: 'baton_feedback', private_metadata: handoff.id });
    expect((view!.blocks as { block_id?: string }[]).map((b) => b.block_id).filter(Boolean)).toEqual(['q_accuracy', 'q_surprises', 'q_expectations', 'q_wrong-section']);

    const submit = (values: Record<string, unknown>) =>
      w.interact({ type: 'view_submission', user: { id: PEOPLE.lead.slack, name: 'leo' }, view: { callback_id: 'baton_feedback', private_metadata: handoff.id, state: { values } } });
    const missing = await submit({ q_expectations: { answer: { type: 'radio_buttons', selected_option: { value: 'partly' } } } });
    expect(await missing.json()).toEqual({ response_action: 'errors', errors: { q_accuracy: 'Please answer this question.' } });

    const answers = {
      q_accuracy: { answer: { type: 'radio_buttons', selected_option: { value: '4' } } },
      q_surprises: { answer: { type: 'plain_text_input', value: 'Client expected <!channel> SSO on day one' } },
      q_expectations: { answer: { type: 'radio_buttons', selected_option: { value: 'partly' } } },
      'q_wrong-section': { answer: { type: 'static_select', selected_option: { value: 'timeline' } } },
    };
    const ok = await submit(answers);
    expect(await ok.json()).toEqual({ response_action: 'clear' });

    const stored = await waitFor(async () => {
      const r = await getFeedbackRequest(w.b.rt.store, handoff.id);
      return r?.status === 'answered' && r;
    }, 'answered');
    expect(stored).toMatchObject({ accuracy: 4, wrongSections: ['timeline'], answeredBy: PEOPLE.lead.slack });
    expect(stored.answers).toEqual({ accuracy: 4, surprises: 'Client expected <!channel> SSO on day one', expectations: 'partly', 'wrong-section': 'timeline' });

    // To the rep (escaped: the client text cannot ping a channel) and as a note on the deal.
    const toRep = await waitFor(async () => repDms().find((m) => m.text.includes('Delivery feedback')), 'rep DM');
    expect(toRep.text).toContain('4/5');
    expect(toRep.text).toContain('&lt;!channel&gt;');
    expect(toRep.text).not.toContain('<!channel>');
    const note = await waitFor(async () => [...hubspot.state.notes.values()].find((n) => n.dealIds.includes('8501')), 'HubSpot note');
    expect(String(note.properties.hs_note_body)).toContain('delivery feedback');
    expect(String(note.properties.hs_note_body)).toContain(`Baton ref ${handoff.id}:feedback`);

    // A second submission (double click, or the web form later) changes nothing and sends nothing.
    await submit({ ...answers, q_accuracy: { answer: { type: 'radio_buttons', selected_option: { value: '1' } } } });
    const form = await fetch(ask.blocks ? JSON.stringify(ask.blocks).match(/https:\/\/baton\.test(\/feedback\/[^|"]+)/)![1]!.replace(/^/, w.b.url) : '');
    expect(await form.text()).toContain('already sent');
    await sleep(1_500);
    expect((await getFeedbackRequest(w.b.rt.store, handoff.id))?.accuracy).toBe(4);
    expect([...hubspot.state.notes.values()].filter((n) => n.dealIds.includes('8501') && String(n.properties.hs_note_body).includes(':feedback'))).toHaveLength(1);
    expect(repDms().filter((m) => m.text.includes(handoff.title.slice(0, 10)) || m.text.includes('Delivery feedback'))).toHaveLength(1);
    expect((await listAudit(w.b.rt.store, handoff.id)).filter((a) => a.kind === 'feedback.answered')).toHaveLength(1);
  }, 60_000);

  it('one reminder when unanswered, then the web form: errors in the form, answers stored, aggregates', async () => {
    hubspot.addDeal({ id: '8502', properties: { dealname: 'Second', dealstage: 'closedwon', pipeline: 'default' } });
    const { handoff } = await w.seed({ mapping: 'watch-feedback', dealId: '8502' });
    const mine = () => leadDms().filter((m) => JSON.stringify(m.blocks ?? []).includes(handoff.id));
    await waitFor(async () => mine().length === 2, 'ask + reminder', 30_000);
    expect(mine()[1]!.text).toContain('A reminder');
    await sleep(3_000);
    expect(mine()).toHaveLength(2); // once

    const path = JSON.stringify(mine()[1]!.blocks).match(/https:\/\/baton\.test(\/feedback\/[^|"]+)/)![1]!;
    const page = await fetch(w.b.url + path);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('How accurate was the handoff document?');
    expect(html).toContain('name="q_wrong-section"');

    const post = (fields: Record<string, string>) =>
      fetch(w.b.url + path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
    const bad = await post({ q_accuracy: '9', q_expectations: 'yes' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Pick one of the options.');
    const good = await post({ q_accuracy: '2', q_expectations: 'no', 'q_wrong-section': 'scope', q_surprises: '' });
    expect(good.status).toBe(200);
    await waitFor(async () => (await getFeedbackRequest(w.b.rt.store, handoff.id))?.status === 'answered', 'answered via web');
    await waitFor(async () => [...hubspot.state.notes.values()].some((n) => n.dealIds.includes('8502')), 'note for the second deal');

    const agg = await feedbackAggregates(w.b.rt.store);
    expect(agg).toMatchObject({ asked: 2, answered: 2, responseRate: 1, averageAccuracy: 3 });
    expect(agg.byRep).toEqual([{ key: PEOPLE.rep.email, answered: 2, averageAccuracy: 3 }]);
    expect(agg.byMapping).toEqual([{ key: 'watch-feedback', answered: 2, averageAccuracy: 3 }]);
    expect(agg.bySection).toEqual([
      { section: 'scope', flagged: 1, averageAccuracy: 2 },
      { section: 'timeline', flagged: 1, averageAccuracy: 4 },
    ]);
  }, 60_000);
});
