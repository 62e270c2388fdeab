// The plan follows what was sold (issue 16, item 1), whole process on the stand-ins with live connectors: a deal
// with three line items of two product types, handed off by mappings/examples/line-items.yaml, becomes one Jira
// epic whose generated tasks form the right groups and dependency links, and whose document lists what was sold.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBaton, waitFor, TEST_SECRET, type Harness } from '../helpers/baton-harness.js';
import { startWorld } from '../helpers/standin-world.js';
import { ownAddressEnv } from '../helpers/free-port.js';
import { listHandoffs } from '../../src/store/handoff-repo.js';
import { startAsanaStandin, STANDIN_TOKEN as ASANA_TOKEN, STANDIN_WORKSPACE, type AsanaStandin } from '../standins/asana-standin.js';
import { PEOPLE } from '../helpers/standin-world.js';

/** Two implementation packages (one discounted) and a training product on the world's first deal. */
function sellThreeLineItems(world: Awaited<ReturnType<typeof startWorld>>) {
  const hs = world.hubspot;
  const dealId = world.dealIds[0]!;
  hs.addProduct('8001', { name: 'Implementation EU', hs_sku: 'IMPL-EU', price: '12000', region: 'EU' });
  hs.addProduct('8002', { name: 'Implementation US', hs_sku: 'IMPL-US', price: '12000', region: 'US' });
  hs.addProduct('8003', { name: 'Admin training', hs_sku: 'TRAIN-ADM', price: '1500', delivery_track: 'training' });
  return {
    dealId,
    eu: hs.addLineItem(dealId, { hs_product_id: '8001', hs_position_on_quote: '0' }),
    us: hs.addLineItem(dealId, { hs_product_id: '8002', hs_position_on_quote: '1', price: '10000' }),
    training: hs.addLineItem(dealId, { hs_product_id: '8003', quantity: '2', hs_position_on_quote: '2' }),
  };
}

/** [blocker, blocked] pairs the example mapping must produce, by task summary. */
const EXPECTED_LINKS = [
  ['Hold the kickoff with Alex', 'Configure Implementation EU'],
  ['Configure Implementation EU', 'Verify Implementation EU with Alex'],
  ['Hold the kickoff with Alex', 'Configure Implementation US'],
  ['Configure Implementation US', 'Verify Implementation US with Alex'],
  ['Hold the kickoff with Alex', 'Run 2 training day(s): Admin training'],
  ['Verify Implementation EU with Alex', 'Deliver the first deliverable'],
  ['Verify Implementation US with Alex', 'Deliver the first deliverable'],
  ['Run 2 training day(s): Admin training', 'Deliver the first deliverable'],
] as const;

describe('live connectors: tasks per line item sold', () => {
  let world: Awaited<ReturnType<typeof startWorld>> | undefined;
  let b: Harness | undefined;
  afterEach(async () => {
    await b?.close();
    await world?.close();
    b = world = undefined;
  });

  it('two implementation packages and a training product: one chain per package, training once, links as planned', async () => {
    world = await startWorld({ deals: 1 });
    const hs = world.hubspot;
    const { dealId, eu, us, training } = sellThreeLineItems(world);

    b = await startBaton({ env: { ...world.env, ...(await ownAddressEnv()), MAPPINGS_DIR: join(process.cwd(), 'mappings', 'examples') } });
    const event = hs.moveDealToStage(dealId, 'closedwon');
    expect((await hs.sendWebhook(`${b.url}/webhooks/hubspot`, [event], TEST_SECRET)).status).toBe(200);
    const handoff = await waitFor(async () => (await listHandoffs(b!.rt.store, { limit: 5 })).items.find((h) => h.status === 'done'), 'handoff done', 60_000);

    const jira = world.jira.state;
    const bySummary = new Map(jira.issues.map((i) => [i.summary, i]));
    const key = (summary: string) => {
      const issue = bySummary.get(summary);
      if (!issue) throw new Error(`no issue "${summary}" among ${[...bySummary.keys()].join(' | ')}`);
      return issue.key;
    };
    // 1 epic + 7 tasks + 2 × (configure, verify) + 1 training.
    expect(jira.issues).toHaveLength(13);
    const blocks = (blocker: string, blocked: string) => jira.links.some((l) => l.blocker === key(blocker) && l.blocked === key(blocked));
    for (const [a, z] of EXPECTED_LINKS) expect(blocks(a, z), `${a} blocks ${z}`).toBe(true);
    expect(blocks('Configure Implementation EU', 'Verify Implementation US with Alex')).toBe(false); // chains stay per line item
    expect(bySummary.get('Configure Implementation US')!.description).toBeTruthy();

    // The document lists what was sold, with the US package's discount as a deviation.
    const scope = handoff.document!.sections.find((s) => s.id === 'scope')!;
    expect(scope.fields.find((f) => f.key === 'what_was_sold')!.value!.split('\n')).toEqual([
      '1 × Implementation EU (IMPL-EU) — 12000',
      '1 × Implementation US (IMPL-US) — 10000 [price 10000, list 12000]',
      '2 × Admin training (TRAIN-ADM) — 3000',
    ]);
    // The plan's ids are stable per line item (what amendments will diff against).
    expect((handoff.plan as { work: { tasks: Array<{ id: string }> } }).work.tasks.map((t) => t.id).filter((id) => id.includes('--li-')).sort()).toEqual(
      [`configure--li-${eu.id}`, `configure--li-${us.id}`, `training--li-${training.id}`, `verify--li-${eu.id}`, `verify--li-${us.id}`].sort(),
    );
  }, 120_000);

  it('the same deal handed to Asana: the same groups and dependencies', async () => {
    world = await startWorld({ deals: 1 });
    const asana: AsanaStandin = await startAsanaStandin({ users: Object.values(PEOPLE).map((p) => p.email) });
    try {
      sellThreeLineItems(world);
      const dir = await mkdtemp(join(tmpdir(), 'baton-li-'));
      const yaml = (await readFile(join(process.cwd(), 'mappings', 'examples', 'line-items.yaml'), 'utf8'))
        .replace('tool: jira', 'tool: asana')
        .replace(/^ {2}project: .*$/m, '  project: Client onboarding');
      await writeFile(join(dir, 'line-items.yaml'), yaml);
      b = await startBaton({
        env: {
          ...world.env, ...(await ownAddressEnv()), MAPPINGS_DIR: dir,
          ASANA_ACCESS_TOKEN: ASANA_TOKEN, ASANA_BASE_URL: asana.url, ASANA_WORKSPACE_GID: STANDIN_WORKSPACE, ASANA_REQUESTS_PER_SECOND: '1000',
        },
      });
      const event = world.hubspot.moveDealToStage(world.dealIds[0]!, 'closedwon');
      expect((await world.hubspot.sendWebhook(`${b.url}/webhooks/hubspot`, [event], TEST_SECRET)).status).toBe(200);
      await waitFor(async () => (await listHandoffs(b!.rt.store, { limit: 5 })).items.find((h) => h.status === 'done'), 'handoff done', 60_000);

      const tasks = asana.state.tasks;
      expect(tasks).toHaveLength(12); // 7 tasks + 2 × (configure, verify) + 1 training, in one project
      const gid = (name: string) => {
        const task = tasks.find((x) => x.name === name);
        if (!task) throw new Error(`no task "${name}" among ${tasks.map((x) => x.name).join(' | ')}`);
        return task.gid;
      };
      const dependsOn = (blocked: string, blocker: string) => tasks.find((x) => x.gid === gid(blocked))!.dependencies.includes(gid(blocker));
      for (const [a, z] of EXPECTED_LINKS) expect(dependsOn(z, a), `${z} depends on ${a}`).toBe(true);
      expect(dependsOn('Verify Implementation US with Alex', 'Configure Implementation EU')).toBe(false);
    } finally {
      await asana.close();
    }
  }, 120_000);
});
