import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCursor, setCursor } from '../../../src/store/cursor-repo.js';
import { storeBackends, type TestStore } from '../../helpers/databases.js';

describe.each(storeBackends())('cursor repo on $name', (backend) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await backend.open();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('returns null until set, then the latest value (upsert)', async () => {
    expect(await getCursor(t.store, 'reconcile:hubspot')).toBeNull();
    await setCursor(t.store, 'reconcile:hubspot', '1700000000000');
    await setCursor(t.store, 'other', 'x');
    await setCursor(t.store, 'reconcile:hubspot', '1700000600000');
    expect(await getCursor(t.store, 'reconcile:hubspot')).toBe('1700000600000');
    expect(await getCursor(t.store, 'other')).toBe('x');
    const rows = await t.store.db.selectFrom('cursors').selectAll().where('name', '=', 'reconcile:hubspot').execute();
    expect(rows).toHaveLength(1);
    expect(Date.parse(rows[0]!.updated_at)).not.toBeNaN();
  });

  it('survives concurrent upserts of one name', async () => {
    const stores = backend.name === 'postgres' ? [t.store, t.openAnother()] : [t.store];
    await Promise.all(Array.from({ length: 10 }, (_, i) => setCursor(stores[i % stores.length]!, 'race', String(i))));
    expect(Number(await getCursor(t.store, 'race'))).toBeGreaterThanOrEqual(0);
    expect(await t.store.db.selectFrom('cursors').select('name').where('name', '=', 'race').execute()).toHaveLength(1);
  });
});
