// Before close: a deal in the prepare stage gets a handoff document early, and its rep one DM per
// distinct set of missing fields — not one per webhook.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaton, stageChange, waitFor, type Harness } from '../../helpers/baton-harness.js';
import { countDryRuns, listDryRuns } from '../../../src/store/dry-run-repo.js';
import { listHandoffsForDeal } from '../../../src/store/handoff-repo.js';
import { countInbox } from '../../../src/store/inbox-repo.js';

describe('pre-close nudges', () => {
  let b: Harness;
  let dir: string;
  const writeDeal = async (patch: Record<string, string | null>, stage = 'contractsent') => {
    const deal = JSON.parse(await readFile('mappings/samples/1002.json', 'utf8'));
    deal.id = '3003';
    deal.stageId = stage;
    deal.properties = { ...deal.properties, dealstage: stage, ...patch };
    await writeFile(join(dir, '3003.json'), JSON.stringify(deal));
  };
  const settle = async (events: number) => {
    await waitFor(async () => (await countInbox(b.rt.store)) === events && (await countInbox(b.rt.store, { status: 'pending' })) === 0, 'events routed');
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-deals-'));
    b = await startBaton({ env: { BATON_SAMPLE_DEALS_DIR: dir, BATON_NUDGE_DELAY_SECONDS: '1' } });
  });
  afterAll(async () => {
    await b.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a burst of changes yields one DM; a new gap yields one more; the same gap none', async () => {
    await writeDeal({});
    // Five webhooks in a burst: the stage change and four edits of referenced properties.
    const now = Date.now();
    const edits = ['baton_risks', 'baton_comm_preferences', 'baton_promised_timeline', 'amount'].map((p, i) => ({
      ...stageChange(3003, 'x', { eventId: 100 + i, occurredAt: now + i }),
      propertyName: p,
      propertyValue: 'edited',
    }));
    expect((await b.post([stageChange(3003, 'contractsent', { eventId: 99, occurredAt: now - 1 }), ...edits])).status).toBe(200);
    await settle(5);
    const [h] = await listHandoffsForDeal(b.rt.store, 'hubspot', '3003');
    expect(h!.phase).toBe('preparing');
    expect(h!.complete).toBe(false);
    await waitFor(async () => (await countDryRuns(b.rt.store, { action: 'sendDirectMessage' })) === 1, 'first nudge');
    const [dm] = await listDryRuns(b.rt.store, h!.id);
    expect(dm!.payload).toMatchObject({ to: 'alex.rep@baton.example', text: expect.stringContaining('Scope sold') });

    // The rep fills in the scope: the missing set changes → one more DM, without the scope in it.
    await writeDeal({ baton_scope: 'Support onboarding for 40 agents' });
    expect((await b.post([{ ...stageChange(3003, 'x', { eventId: 200 }), propertyName: 'baton_scope', propertyValue: 'set' }])).status).toBe(200);
    await settle(6);
    await waitFor(async () => (await countDryRuns(b.rt.store, { action: 'sendDirectMessage' })) === 2, 'second nudge');
    const second = (await listDryRuns(b.rt.store, h!.id)).at(-1)!;
    expect(String((second.payload as { text: string }).text)).not.toContain('Scope sold');

    // An edit that does not change what is missing: no third DM.
    expect((await b.post([{ ...stageChange(3003, 'x', { eventId: 300 }), propertyName: 'amount', propertyValue: '1' }])).status).toBe(200);
    await settle(7);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await countDryRuns(b.rt.store, { action: 'sendDirectMessage' })).toBe(2);

    // Close: the same handoff row is handed off (no second handoff), and no nudge is pending any more.
    await writeDeal({ baton_scope: 'Support onboarding for 40 agents' }, 'closedwon');
    expect((await b.post([stageChange(3003, 'closedwon', { eventId: 400 })])).status).toBe(200);
    await waitFor(async () => (await listHandoffsForDeal(b.rt.store, 'hubspot', '3003'))[0]?.status === 'done', 'handed off');
    expect(await listHandoffsForDeal(b.rt.store, 'hubspot', '3003')).toHaveLength(1);
  });
});
