import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/database.js';
import {
  countInbox,
  getInboxEvent,
  insertInboxEvents,
  listPendingInbox,
  pendingIdentities,
  setInboxStatus,
} from '../../../src/store/inbox-repo.js';
import { storeBackends, type TestStore } from '../../helpers/databases.js';
import { sampleEvent } from './support/samples.js';

describe.each(storeBackends())('inbox repo on $name', (backend) => {
  let t: TestStore;
  let batch = 0;
  // One database per backend; each test uses its own identities (a prefix) so tests stay independent.
  const events = (n: number, from = 0) => {
    const prefix = `b${++batch}`;
    return Array.from({ length: n }, (_, i) => sampleEvent(from + i, { identity: `${prefix}:${from + i}` }));
  };
  beforeAll(async () => {
    t = await backend.open();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('returns only new events: repeats inside one call count once, repeats across calls not at all', async () => {
    const [a, b, c] = events(3);
    const before = await countInbox(t.store);
    const first = await insertInboxEvents(t.store, [a!, b!, a!, { ...a!, occurredAt: 1 }], new Date());
    expect(first.map((e) => e.identity)).toEqual([a!.identity, b!.identity]);
    // The first occurrence wins when an identity repeats within one call.
    expect(first[0]!.occurredAt).toBe(a!.occurredAt);

    const second = await insertInboxEvents(t.store, [b!, c!, a!], new Date());
    expect(second).toEqual([c]);
    expect(await insertInboxEvents(t.store, [a!, b!, c!], new Date())).toEqual([]);
    expect(await countInbox(t.store)).toBe(before + 3);
  });

  it('handles an empty call without touching the database', async () => {
    expect(await insertInboxEvents(t.store, [], new Date())).toEqual([]);
  });

  /** The same store, counting the statements sent through it. */
  const counted = (): { store: Store; queries: () => number } => {
    let n = 0;
    const plugin: KyselyPlugin = {
      transformQuery: (args) => (n++, args.node),
      transformResult: async (args) => args.result,
    };
    return { store: { ...t.store, db: t.store.db.withPlugin(plugin) }, queries: () => n };
  };

  it('takes a 500-event call in one statement and a 1,200-event call in three, with overlap', async () => {
    const many = events(1_200);
    const before = await countInbox(t.store);
    const c1 = counted();
    const first = await insertInboxEvents(c1.store, many.slice(0, 500), new Date());
    expect(first).toHaveLength(500);
    expect(c1.queries()).toBe(1);
    const c2 = counted();
    const rest = await insertInboxEvents(c2.store, many, new Date());
    expect(c2.queries()).toBe(3);
    expect(rest.map((e) => e.identity)).toEqual(many.slice(500).map((e) => e.identity));
    expect(await countInbox(t.store)).toBe(before + 1_200);
  });

  it('stores the whole event and its receive time, and round-trips it', async () => {
    const [e] = events(1);
    const event = {
      ...e!,
      property: { name: 'baton_scope', value: 'Säule «β» — 日本語 🚀 <!channel> \u0000 end' },
      source: { changeSource: 'INTEGRATION', appId: '42' },
      mergedDealIds: ['1', '2'],
    };
    const receivedAt = new Date('2025-01-31T12:34:56.789Z');
    await insertInboxEvents(t.store, [event], receivedAt);
    expect(await getInboxEvent(t.store, event.identity)).toEqual({
      event,
      status: 'pending',
      note: null,
      receivedAt: '2025-01-31T12:34:56.789Z',
    });
    const row = await t.store.db
      .selectFrom('inbox_events')
      .select(['crm', 'account_id', 'kind', 'deal_id', 'occurred_at'])
      .where('identity', '=', event.identity)
      .executeTakeFirstOrThrow();
    // occurred_at is a bigint column: ms timestamps beyond 2^31 must come back as the same number.
    expect(row).toEqual({ crm: 'hubspot', account_id: '62515', kind: event.kind, deal_id: event.dealId, occurred_at: event.occurredAt });
    expect(await getInboxEvent(t.store, 'no-such-identity')).toBeNull();
  });

  it('tracks status: pending until routed/ignored/failed, with a note', async () => {
    const [a, b, c] = events(3);
    await insertInboxEvents(t.store, [a!, b!, c!], new Date());
    expect((await pendingIdentities(t.store, [a!.identity, b!.identity, c!.identity, 'unknown'])).sort()).toEqual(
      [a!.identity, b!.identity, c!.identity].sort(),
    );
    await setInboxStatus(t.store, a!.identity, 'routed', 'services-onboarding: handoff created');
    await setInboxStatus(t.store, b!.identity, 'ignored');
    expect(await pendingIdentities(t.store, [a!.identity, b!.identity, c!.identity])).toEqual([c!.identity]);
    expect(await getInboxEvent(t.store, a!.identity)).toMatchObject({ status: 'routed', note: 'services-onboarding: handoff created' });
    expect(await getInboxEvent(t.store, b!.identity)).toMatchObject({ status: 'ignored', note: null });
    // A repeat delivery of a routed event is still not new.
    expect(await insertInboxEvents(t.store, [a!], new Date())).toEqual([]);
    expect(await countInbox(t.store, { status: 'routed' })).toBeGreaterThanOrEqual(1);
  });

  it('answers pendingIdentities for more identities than one IN list holds', async () => {
    const many = events(700);
    await insertInboxEvents(t.store, many, new Date());
    const ids = many.map((e) => e.identity);
    expect((await pendingIdentities(t.store, [...ids, ...ids])).sort()).toEqual([...ids].sort());
  });

  it('lists pending events received before a time, oldest first, for a re-queue sweep', async () => {
    // Its own database: the other tests leave pending events behind.
    const own = await backend.open();
    try {
      const [old1, old2, recent, routed] = events(4);
      await insertInboxEvents(own.store, [old2!], new Date('2025-01-01T10:00:01Z'));
      await insertInboxEvents(own.store, [old1!, routed!], new Date('2025-01-01T10:00:00Z'));
      await insertInboxEvents(own.store, [recent!], new Date('2025-01-01T11:00:00Z'));
      await setInboxStatus(own.store, routed!.identity, 'routed');
      const swept = await listPendingInbox(own.store, { receivedBefore: new Date('2025-01-01T10:30:00Z'), limit: 10 });
      expect(swept).toEqual([old1, old2]);
      expect(await listPendingInbox(own.store, { receivedBefore: new Date('2025-01-01T10:30:00Z'), limit: 1 })).toEqual([old1]);
    } finally {
      await own.cleanup();
    }
  });
});
