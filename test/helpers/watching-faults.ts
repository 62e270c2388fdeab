// Shared pieces of the whole-process watching tests through transient faults (Jira and Asana flavours):
// the endpoints the faults aim at, a mapping with the escalations under test, a counter of met faults, and
// the way a pending check is run now (as an overdue check would) and awaited.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startBaton, waitFor, type Harness } from './baton-harness.js';
import { channelId, startWorld } from './standin-world.js';
import { ownAddressEnv } from './free-port.js';
import type { Fault, StandinFaults } from '../standins/faults.js';
import { checkJobId } from '../../jobs/escalation/check-jobs.js';
import { getCheck, updateCheckIf } from '../../src/store/escalation-repo.js';
import { listAudit } from '../../src/store/audit-repo.js';

/** Longer than BATON_HTTP_TIMEOUT_MS (the harness' 5 s): the API does the work, the client has given up. */
export const LATE: Fault = { kind: 'slow', ms: 6_500 };

export const HUBSPOT_DEAL_READ = /^GET \/crm\/v3\/objects\/deals\/\{dealId\}$/;
export const HUBSPOT_DEAL_PATCH = /^PATCH \/crm\/v3\/objects\/deals\/\{dealId\}$/;
export const SLACK_POST = /^POST \/api\/chat\.postMessage$/;

/** How often a fault of this kind met requests of this endpoint. */
export const met = (faults: StandinFaults, kind: Fault['kind'], endpoint: RegExp) => faults.hits.filter((h) => h.kind === kind && endpoint.test(h.endpoint)).length;

/** A directory holding the default mapping with these escalations instead of its own, edited further by `edit`. */
export async function watchingMapping(escalations: string[], edit: (yaml: string) => string = (y) => y): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-watching-'));
  const yaml = await readFile(join(process.cwd(), 'mappings', 'default.yaml'), 'utf8');
  const block = /^escalations:\n[\s\S]*?(?=^client_updates:)/m;
  expect(yaml).toMatch(block);
  await writeFile(join(dir, 'watching.yaml'), edit(yaml.replace(block, ['escalations:', ...escalations, '', ''].join('\n'))));
  return dir;
}

/** The channel escalations go to. */
export const ESCALATIONS = 'C0ESCAL001';

/**
 * One deal on the stand-ins and a whole Baton with live connectors watching it under a mapping with these
 * escalations (`edit` changes it further; `env` adds to the environment). No periodic poll or reconciliation:
 * they would meet the faults aimed at the calls under test.
 */
export async function startWatching(escalations: string[], opts: { edit?: (yaml: string) => string; env?: Record<string, string> } = {}) {
  const world = await startWorld({ deals: 1 });
  world.slack.state.channels.push({ id: ESCALATIONS, name: 'delivery-escalations', member: true });
  const mappingsDir = await watchingMapping(escalations, opts.edit);
  const b = await startBaton({
    env: {
      ...world.env,
      ...(await ownAddressEnv()),
      ...opts.env,
      MAPPINGS_DIR: mappingsDir,
      SLACK_ESCALATION_CHANNEL: ESCALATIONS,
      BATON_WATCH_POLL_SECONDS: '0',
      BATON_RECONCILE_EVERY_SECONDS: '0',
    },
  });
  return {
    world,
    b,
    async close() {
      await b.close();
      await world.close();
      await rm(mappingsDir, { recursive: true, force: true });
    },
  };
}

/** Runs a handoff's escalation checks on demand and waits for them to finish. */
export function checkRunner(b: Harness, handoffId: string) {
  return {
    /** Brings a pending check's moment forward to now and wakes its delayed job (as an overdue check runs). */
    async runNow(triggerId: string) {
      const check = (await getCheck(b.rt.store, handoffId, triggerId))!;
      expect(check).toMatchObject({ status: 'pending', rung: 0, round: 0 });
      const key = { handoffId, triggerId };
      expect(await updateCheckIf(b.rt.store, key, { status: 'pending', rung: 0, round: 0 }, { dueAt: new Date().toISOString() })).toBe(true);
      await (await b.rt.queues.watch.getJob(checkJobId(check)))!.promote();
    },
    /** The check once it is no longer pending. */
    settled: (triggerId: string, what: string) =>
      waitFor(async () => {
        const c = await getCheck(b.rt.store, handoffId, triggerId);
        return c && c.status !== 'pending' && c;
      }, what, 60_000),
  };
}

/**
 * Each effect of the watched handoff once, nothing lost: both milestones on the deal and on the trail, one
 * client update per milestone in the intro's thread, two escalations, and nothing else posted.
 */
export async function expectEachEffectOnce(w: { world: Awaited<ReturnType<typeof startWatching>>['world']; b: Harness }, handoffId: string, introTs: string) {
  const { world, b } = w;
  const deal = world.hubspot.state.deals.get(world.dealIds[0]!)!;
  expect(deal.properties.baton_kickoff_done).toBeTruthy();
  expect(deal.properties.baton_first_deliverable_done).toBeTruthy();
  expect(deal.properties.baton_status).toBe('kickoff_done');
  const posts = (type: string) => world.slack.state.messages.filter((m) => m.metadata?.event_type === type);
  for (const m of ['kickoff', 'first_deliverable']) {
    const updates = posts('baton_client_update').filter((p) => p.metadata!.event_payload.milestone === m);
    expect(updates, m).toHaveLength(1);
    expect(updates[0]!.channel).toBe(channelId(0));
    expect(updates[0]!.thread_ts).toBe(introTs);
  }
  const audits = async (kind: string) => (await listAudit(b.rt.store, handoffId)).filter((a) => a.kind === kind);
  expect((await audits('milestone.reached')).map((a) => (a.data as { milestone: string }).milestone).sort()).toEqual(['first_deliverable', 'kickoff']);
  expect(await audits('client.updated')).toHaveLength(2);
  expect(await audits('escalation.sent')).toHaveLength(2);
  // Nothing else went out: one intro, the two escalations, the two client updates.
  expect(posts('baton_handoff_intro')).toHaveLength(1);
  expect(world.slack.state.messages.filter((m) => m.channel === ESCALATIONS)).toHaveLength(2);
  expect(posts('baton_client_update')).toHaveLength(2);
  // The handoff page says the same: the milestones on its trail, no failure.
  const page = await b.api(`/api/handoffs/${handoffId}`);
  expect(page.status).toBe('done');
  expect((page.audit as { kind: string }[]).filter((a) => a.kind === 'milestone.reached')).toHaveLength(2);
}
