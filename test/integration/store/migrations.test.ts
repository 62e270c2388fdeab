import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest, storeMigrations } from '../../../src/store/migrations.js';
import { storeBackends, type TestStore } from '../../helpers/databases.js';

const TABLES = ['audit_events', 'chat_posts', 'cursors', 'dry_run_records', 'escalations', 'feedback_requests', 'handoff_steps', 'handoffs', 'inbox_events', 'task_status', 'watch_checks', 'webhook_deliveries', 'webhook_secrets'];

describe.each(storeBackends())('migrations on $name', (backend) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await backend.open({ migrate: false });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const appTables = async () =>
    (await t.store.db.introspection.getTables())
      .map((x) => x.name)
      .filter((n) => !n.startsWith('kysely_'))
      .sort();

  it('creates every table, and a second run applies nothing and keeps the data', async () => {
    expect(await appTables()).toEqual([]);
    const first = await migrateToLatest(t.store);
    expect(first).toEqual(Object.keys(storeMigrations(backend.name)));
    expect(await appTables()).toEqual(TABLES);

    await t.store.db.insertInto('cursors').values({ name: 'k', value: 'v', updated_at: 'now' }).execute();
    expect(await migrateToLatest(t.store)).toEqual([]);
    expect(await t.store.db.selectFrom('cursors').select('value').execute()).toEqual([{ value: 'v' }]);
  });

  it('survives several concurrent runs from separate connections: exactly one applies each migration', async () => {
    const stores = [t.store, t.openAnother(), t.openAnother(), t.openAnother()];
    if (backend.name === 'sqlite') {
      // better-sqlite3 is synchronous: two connections in one process would block each other's
      // event loop while waiting on the file lock. Cross-process SQLite runs are covered in
      // multi-process.test.ts; here the runs share one connection, as one process's callers do.
      stores.splice(1);
    }
    const runs = await Promise.all([...stores, ...stores].map((s) => migrateToLatest(s)));
    expect(runs.flat()).toEqual(Object.keys(storeMigrations(backend.name)));
    expect(await appTables()).toEqual(TABLES);
  });

  it('enforces the uniqueness the invariants rely on', async () => {
    await migrateToLatest(t.store);
    const db = t.store.db;
    const inbox = {
      identity: 'same',
      crm: 'hubspot',
      account_id: '1',
      kind: 'deal.created',
      deal_id: '1',
      occurred_at: 1,
      received_at: 'x',
      payload: '{}',
    };
    await db.insertInto('inbox_events').values(inbox).execute();
    await expect(db.insertInto('inbox_events').values(inbox).execute()).rejects.toThrow(/unique/i);

    const handoff = {
      crm: 'hubspot',
      account_id: '1',
      deal_id: '1',
      mapping: 'm',
      phase: 'closed' as const,
      status: 'pending' as const,
      title: 't',
      deal_name: null,
      document: null,
      complete: 0 as const,
      missing: '[]',
      plan: null,
      deal: null,
      closed_at: null,
      created_at: 'x',
      updated_at: 'x',
      last_error: null,
    };
    await db.insertInto('handoffs').values({ ...handoff, id: 'a' }).execute();
    await expect(db.insertInto('handoffs').values({ ...handoff, id: 'b' }).execute()).rejects.toThrow(/unique/i);

    const step = { handoff_id: 'a', step_id: 's', position: 0, status: 'pending' as const, attempts: 0, last_error: null, permanent: 0 as const, external_ids: '{}', started_at: null, finished_at: null, updated_at: 'x' };
    await db.insertInto('handoff_steps').values(step).execute();
    await expect(db.insertInto('handoff_steps').values(step).execute()).rejects.toThrow(/unique|duplicate/i);
    // Steps must belong to a handoff (SQLite needs foreign_keys=ON for this).
    await expect(db.insertInto('handoff_steps').values({ ...step, handoff_id: 'nope' }).execute()).rejects.toThrow(/foreign key/i);
  });
});
