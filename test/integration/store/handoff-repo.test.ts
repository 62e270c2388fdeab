import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  countHandoffs,
  createHandoffIfAbsent,
  findHandoff,
  getHandoff,
  listHandoffs,
  listHandoffsForDeal,
  updateHandoff,
  type HandoffRow,
} from '../../../src/store/handoff-repo.js';
import { storeBackends, type TestStore } from '../../helpers/databases.js';
import { sampleDocument, sampleHandoff } from './support/samples.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe.each(storeBackends())('handoff repo on $name', (backend) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await backend.open();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('creates once per (crm, deal, mapping) and returns the stored row with parsed JSON', async () => {
    const input = sampleHandoff();
    const first = await createHandoffIfAbsent(t.store, input);
    expect(first.created).toBe(true);
    expect(first.handoff).toMatchObject({
      crm: 'hubspot',
      accountId: '62515',
      dealId: '9001',
      mapping: 'services-onboarding',
      phase: 'closed',
      status: 'pending',
      title: input.title,
      dealName: 'Website rebuild',
      document: input.document,
      complete: false,
      missing: input.missing,
      plan: input.plan,
      deal: input.deal,
      closedAt: '2025-01-31T15:00:00.000Z',
      lastError: null,
    });
    expect(first.handoff.id).toMatch(UUID_V4);
    expect(first.handoff.createdAt).toBe(first.handoff.updatedAt);
    expect(new Date(first.handoff.createdAt).toISOString()).toBe(first.handoff.createdAt);

    const again = await createHandoffIfAbsent(t.store, { ...input, title: 'changed', phase: 'preparing' });
    expect(again.created).toBe(false);
    expect(again.handoff).toEqual(first.handoff); // the existing row, untouched

    // Another mapping or another deal is another handoff.
    expect((await createHandoffIfAbsent(t.store, { ...input, mapping: 'retainer' })).created).toBe(true);
    expect((await createHandoffIfAbsent(t.store, { ...input, dealId: '9002' })).created).toBe(true);
    expect((await createHandoffIfAbsent(t.store, { ...input, crm: 'pipedrive' })).created).toBe(true);
    expect(await countHandoffs(t.store)).toBe(4);
  });

  it('lets exactly one of 10 parallel creators win, across separate connections', async () => {
    // On PostgreSQL these are separate pools (truly parallel); SQLite serialises on its one connection.
    const stores = backend.name === 'postgres' ? [t.store, t.openAnother(), t.openAnother()] : [t.store];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => createHandoffIfAbsent(stores[i % stores.length]!, sampleHandoff({ title: `racer ${i}` }))),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.handoff.id)).size).toBe(1);
    const winner = results.find((r) => r.created)!.handoff;
    expect(results.every((r) => r.handoff.title === winner.title)).toBe(true);
    expect(await countHandoffs(t.store)).toBe(1);
  });

  it('gets by id, finds by natural key, lists a deal\'s handoffs oldest first', async () => {
    const a = (await createHandoffIfAbsent(t.store, sampleHandoff({ mapping: 'a' }))).handoff;
    await new Promise((r) => setTimeout(r, 5));
    const b = (await createHandoffIfAbsent(t.store, sampleHandoff({ mapping: 'b' }))).handoff;
    await createHandoffIfAbsent(t.store, sampleHandoff({ dealId: 'other' }));
    expect(await getHandoff(t.store, a.id)).toEqual(a);
    expect(await getHandoff(t.store, '00000000-0000-4000-8000-000000000000')).toBeNull();
    expect(await findHandoff(t.store, 'hubspot', '9001', 'b')).toEqual(b);
    expect(await findHandoff(t.store, 'hubspot', '9001', 'zzz')).toBeNull();
    expect((await listHandoffsForDeal(t.store, 'hubspot', '9001')).map((h) => h.mapping)).toEqual(['a', 'b']);
    expect(await listHandoffsForDeal(t.store, 'salesforce', '9001')).toEqual([]);
  });

  it('updates only the patched fields and bumps updated_at', async () => {
    const { handoff } = await createHandoffIfAbsent(t.store, sampleHandoff({ phase: 'preparing', closedAt: null }));
    await new Promise((r) => setTimeout(r, 5));
    const doc = { ...sampleDocument('New title'), complete: true, missing: [] };
    await updateHandoff(t.store, handoff.id, {
      phase: 'closed',
      status: 'running',
      title: 'New title',
      document: doc,
      complete: true,
      missing: [],
      closedAt: '2025-02-01T00:00:00.000Z',
    });
    const after = (await getHandoff(t.store, handoff.id))!;
    expect(after).toEqual({
      ...handoff,
      phase: 'closed',
      status: 'running',
      title: 'New title',
      document: doc,
      complete: true,
      missing: [],
      closedAt: '2025-02-01T00:00:00.000Z',
      updatedAt: after.updatedAt,
    });
    expect(after.updatedAt > handoff.updatedAt).toBe(true);

    await updateHandoff(t.store, handoff.id, { status: 'failed', lastError: 'Jira said no', dealName: null, plan: null });
    expect(await getHandoff(t.store, handoff.id)).toMatchObject({ status: 'failed', lastError: 'Jira said no', dealName: null, plan: null, title: 'New title' });
    await updateHandoff(t.store, handoff.id, { lastError: null });
    expect((await getHandoff(t.store, handoff.id))!.lastError).toBeNull();

    await expect(updateHandoff(t.store, 'missing-id', { status: 'done' })).rejects.toThrow(/does not exist/);
  });

  it('round-trips unicode and a 100 KB document exactly', async () => {
    const weird = 'Zoë «ß» 日本語 עברית 🚀👩🏽‍💻 <!channel> *bold* `code` "quotes" \\ back \u0000 nul \u2028 \ud800 lone';
    const big = 'x🚀'.repeat(35_000); // > 100 KB as UTF-8
    const document = sampleDocument(weird);
    document.sections[0]!.fields[0]!.value = big;
    const deal = { properties: { baton_risks: weird, nested: { deep: [1, 2.5, null, true, weird] } } };
    const { handoff } = await createHandoffIfAbsent(
      t.store,
      sampleHandoff({ title: weird, dealName: weird, document, deal, plan: { notes: big } }),
    );
    const stored = (await getHandoff(t.store, handoff.id))!;
    // Plain text columns cannot hold NUL (PostgreSQL) or lone surrogates (SQLite): both backends
    // store the same cleaned text; JSON columns keep every character.
    const cleaned = weird.replace('\u0000', '').replace('\ud800', '\ufffd');
    expect(stored.title).toBe(cleaned);
    expect(stored.dealName).toBe(cleaned);
    expect(stored.document).toEqual(document);
    expect(stored.document!.sections[0]!.fields[0]!.value).toHaveLength(big.length);
    expect(stored.deal).toEqual(deal);
    expect(stored.plan).toEqual({ notes: big });
    expect(Buffer.byteLength(JSON.stringify(stored.document))).toBeGreaterThan(100_000);
  });

  describe('listHandoffs', () => {
    const seed = async (n: number) => {
      const rows: HandoffRow[] = [];
      for (let i = 0; i < n; i++) {
        rows.push(
          (
            await createHandoffIfAbsent(
              t.store,
              sampleHandoff({ dealId: `d${i}`, mapping: i % 3 === 0 ? 'retainer' : 'services-onboarding' }),
            )
          ).handoff,
        );
      }
      // Force timestamp ties (several handoffs created in the same millisecond) so the id tie-breaker matters.
      for (const [i, h] of rows.entries()) {
        const createdAt = new Date(Date.UTC(2025, 0, 1, 0, 0, Math.floor(i / 4))).toISOString();
        await t.store.db.updateTable('handoffs').set({ created_at: createdAt }).where('id', '=', h.id).execute();
        h.createdAt = createdAt;
      }
      return rows;
    };
    const newestFirst = (rows: HandoffRow[]) =>
      [...rows].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1)).map((h) => h.id);

    it('pages 25 handoffs newest first with a keyset cursor: no gaps, no repeats', async () => {
      const rows = await seed(25);
      const seen: string[] = [];
      let before: string | undefined;
      let pages = 0;
      for (;;) {
        const page = await listHandoffs(t.store, { limit: 10, before });
        pages++;
        seen.push(...page.items.map((h) => h.id));
        if (!page.nextCursor) break;
        before = page.nextCursor;
      }
      expect(pages).toBe(3);
      expect(seen).toEqual(newestFirst(rows));
    });

    it('keeps its place when newer handoffs arrive between pages', async () => {
      const rows = await seed(12);
      const first = await listHandoffs(t.store, { limit: 5 });
      await createHandoffIfAbsent(t.store, sampleHandoff({ dealId: 'late' }));
      const second = await listHandoffs(t.store, { limit: 5, before: first.nextCursor! });
      expect([...first.items, ...second.items].map((h) => h.id)).toEqual(newestFirst(rows).slice(0, 10));
    });

    it('gives no cursor on an exact last page, filters by status and mapping, accepts a bare created_at', async () => {
      const rows = await seed(9);
      expect((await listHandoffs(t.store, { limit: 9 })).nextCursor).toBeNull();
      const target = rows[4]!;
      await updateHandoff(t.store, target.id, { status: 'failed' });
      expect((await listHandoffs(t.store, { limit: 50, status: 'failed' })).items.map((h) => h.id)).toEqual([target.id]);

      const retainer = rows.filter((h) => h.mapping === 'retainer');
      const page1 = await listHandoffs(t.store, { limit: 2, mapping: 'retainer' });
      const page2 = await listHandoffs(t.store, { limit: 2, mapping: 'retainer', before: page1.nextCursor! });
      expect([...page1.items, ...page2.items].map((h) => h.id)).toEqual(newestFirst(retainer));
      expect(page2.nextCursor).toBeNull();

      const cut = '2025-01-01T00:00:01.000Z'; // rows 0-3 are at :00, 4-7 at :01, 8 at :02
      expect((await listHandoffs(t.store, { limit: 50, before: cut })).items.map((h) => h.id)).toEqual(
        newestFirst(rows.slice(0, 4)),
      );
      await expect(listHandoffs(t.store, { limit: 0 })).rejects.toThrow(RangeError);
    });
  });
});
