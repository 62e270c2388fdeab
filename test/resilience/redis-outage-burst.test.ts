// Resilience: Redis SIGKILLed for 10 s in the middle of a steady webhook stream (one signed single-event
// batch per deal every 80 ms). The promise: a 2xx means the event is durably queued (Redis AOF, fsync
// always), so no 2xx while Redis is down, every deal that got one ends with exactly one done handoff once
// Redis is back (the worker reconnects by itself), and the 503-ed deals, re-sent as HubSpot retries them,
// complete too, with no duplicates anywhere. (webhook-receiver.test.ts checks a single 503 and one retry.)
import { describe, expect, it } from 'vitest';
import { startBaton, waitFor, TEST_SECRET } from '../helpers/baton-harness.js';
import { startWorld } from '../helpers/standin-world.js';
import { ownAddressEnv } from '../helpers/free-port.js';
import { storeBackends } from '../helpers/databases.js';
import { startPrivateRedis } from '../helpers/private-redis.js';
import { expectExactlyOnce } from '../helpers/exactly-once.js';
import { UNPACED, cleanupStack, waitPipelineIdle, waitSettled, waitWorkers, workerProcesses } from './resilience-kit.js';
import type { HubSpotEvent } from '../standins/hubspot-standin.js';

const EVERY_MS = 80;
const UP_BEFORE_MS = 2_000;
const DOWN_MS = 10_000;
const MAX_DEALS = 300;

interface Sent {
  deal: string;
  event: HubSpotEvent;
  sentAt: number;
  answeredAt?: number;
  status?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('resilience: Redis down during a webhook burst', () => {
  const onCleanup = cleanupStack();

  it('no 2xx while Redis is down; every 2xx and every retried 503 ends in exactly one done handoff', async () => {
    const world = await startWorld({ deals: MAX_DEALS });
    onCleanup(() => world.close());
    const db = await storeBackends().find((s) => s.name === 'postgres')!.open();
    onCleanup(() => db.cleanup());
    const redis = await startPrivateRedis();
    onCleanup(() => redis.close());
    const b = await startBaton({
      workers: false,
      env: { ...world.env, ...UNPACED, REDIS_URL: redis.url, DATABASE_URL: db.databaseUrl, ...(await ownAddressEnv()) },
    });
    onCleanup(() => b.close());
    onCleanup(() => redis.ensureRunning()); // runs before b.close(): closing queues wants Redis
    const worker = workerProcesses(onCleanup, b.env).spawn();
    await waitWorkers(b.rt.queues.handoff, 1);
    const pipeline = [b.rt.queues.events, b.rt.queues.route, b.rt.queues.handoff];

    const target = `${b.url}/webhooks/hubspot`;
    const sent: Sent[] = [];
    const answers: Promise<void>[] = [];
    const post = (rec: Sent, event: HubSpotEvent) =>
      world.hubspot.sendWebhook(target, [event], TEST_SECRET).then(
        (r) => {
          rec.status = r.status;
          rec.answeredAt = Date.now();
        },
        () => {
          rec.status = -1; // no HTTP answer at all
          rec.answeredAt = Date.now();
        },
      );
    let sending = true;
    const sender = (async () => {
      while (sending && sent.length < MAX_DEALS) {
        const deal = world.dealIds[sent.length]!;
        const rec: Sent = { deal, event: world.hubspot.moveDealToStage(deal, 'closedwon'), sentAt: Date.now() };
        sent.push(rec);
        answers.push(post(rec, rec.event)); // not awaited: the stream keeps its pace whatever Redis does
        await sleep(EVERY_MS);
      }
    })();

    // Timeline: the sleeps are the scenario (how long Redis is up, then down), not waits for a condition.
    await sleep(UP_BEFORE_MS);
    await redis.kill();
    const deadAt = Date.now();
    await sleep(DOWN_MS);
    const restartAt = Date.now();
    await redis.start();
    const upAt = Date.now();
    // Keep sending until Baton has accepted webhooks again for a while.
    await waitFor(async () => sent.filter((s) => s.sentAt > upAt && s.status === 200).length >= 20, 'webhooks accepted again', 30_000);
    sending = false;
    await sender;
    await Promise.all(answers);

    expect(sent.length, 'deals left to send').toBeLessThan(MAX_DEALS);
    const statuses = new Set(sent.map((s) => s.status));
    expect([...statuses].sort()).toEqual([200, 503]);
    // While Redis was dead, only 503. A 2xx answered in that window must have been sent before the kill
    // (Redis acknowledged the write, then died): it is held to the same "ends done" check as the rest.
    const during = sent.filter((s) => s.sentAt >= deadAt && s.answeredAt! <= restartAt);
    expect(during.length).toBeGreaterThan(DOWN_MS / EVERY_MS / 2);
    expect(during.filter((s) => s.status !== 503)).toEqual([]);
    const ackedAroundKill = sent.filter((s) => s.status === 200 && s.answeredAt! > deadAt && s.answeredAt! < restartAt);
    expect(ackedAroundKill.every((s) => s.sentAt < deadAt)).toBe(true);

    // Every acknowledged deal: exactly one handoff, done, without any re-send.
    const acked = new Set(sent.filter((s) => s.status === 200).map((s) => s.deal));
    const handoffsByDeal = async () => {
      const rows = await b.rt.store.db.selectFrom('handoffs').select(['id', 'deal_id', 'status']).execute();
      const items = rows.map((r) => ({ id: r.id, dealId: r.deal_id, status: r.status }));
      return { items, byDeal: new Map(items.map((h) => [h.dealId, h])) };
    };
    await waitSettled(
      pipeline,
      async () => {
        const { byDeal } = await handoffsByDeal();
        const notDone = [...acked].filter((d) => byDeal.get(d)?.status !== 'done');
        return { done: notDone.length === 0, state: notDone.map((d) => `${d}:${byDeal.get(d)?.status ?? 'no handoff'}`) };
      },
      'every acknowledged deal handed off',
      400_000,
    );
    await waitPipelineIdle(pipeline);
    const first = await handoffsByDeal();
    expect(first.items.length).toBe(first.byDeal.size); // one per deal
    expect(first.items.filter((h) => h.status !== 'done')).toEqual([]);
    // A 503 may still have been written (Redis persisted it, then died before answering): harmless, the
    // HubSpot retry dedupes; but nothing may appear that was never sent.
    const sentDeals = new Set(sent.map((s) => s.deal));
    expect(first.items.filter((h) => !sentDeals.has(h.dealId))).toEqual([]);
    const writtenDespite503 = first.items.filter((h) => !acked.has(h.dealId)).length;

    // HubSpot retries every 503: the same event, next attempt number.
    const refused = sent.filter((s) => s.status !== 200);
    for (let i = 0; i < refused.length; i += 10) {
      const res = await Promise.all(refused.slice(i, i + 10).map((s) => world.hubspot.sendWebhook(target, [{ ...s.event, attemptNumber: 1 }], TEST_SECRET)));
      expect(res.map((r) => r.status)).toEqual(res.map(() => 200));
    }
    await waitSettled(
      pipeline,
      async () => {
        const { byDeal } = await handoffsByDeal();
        const notDone = sent.filter((s) => byDeal.get(s.deal)?.status !== 'done').map((s) => `${s.deal}:${byDeal.get(s.deal)?.status ?? 'no handoff'}`);
        return { done: notDone.length === 0, state: notDone };
      },
      'every re-sent deal handed off',
      400_000,
    );
    await waitPipelineIdle(pipeline);
    const all = await handoffsByDeal();
    expect([...all.byDeal.keys()].sort()).toEqual([...sentDeals].sort());
    const effects = expectExactlyOnce(world, all.items);
    // The same worker process did all this: it rode out the outage instead of dying (nobody restarted it).
    expect(worker.child.exitCode, worker.stderr()).toBeNull();
    expect(worker.child.signalCode).toBeNull();
    console.info(
      `[resilience] redis outage: ${sent.length} deals sent, ${acked.size} got 2xx (${ackedAroundKill.length} answered after the kill, sent before), ` +
        `${refused.length} got 503 (${during.length} sent and answered while Redis was down, ${writtenDespite503} of the 503-ed were queued anyway); ` +
        `back up after ${((upAt - deadAt) / 1000).toFixed(1)} s; ${effects.issues} Jira issues, ${effects.intros} intros, ${effects.notes} notes`,
    );
  }, 900_000);
});
