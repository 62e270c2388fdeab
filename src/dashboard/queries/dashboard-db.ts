// The dashboard's view of the database. It reads columns the shared schema types do not list (the
// derived columns of migration 0003) and the watching tables of issue #4 when they exist, so it uses
// an untyped Kysely and narrow row types of its own; each query module maps rows explicitly.
import type { Kysely } from 'kysely';
import type { Store } from '../../store/database.js';

export function dashDb(store: Store): Kysely<any> {
  return store.db as unknown as Kysely<any>;
}

/** Tables added by later work (escalations, task status, feedback). Absent → that section says "not available yet". */
export const WATCH_TABLES = ['watch_checks', 'escalations', 'task_status', 'feedback_requests'] as const;
export type WatchTable = (typeof WATCH_TABLES)[number];
export type TablePresence = Record<WatchTable, boolean>;

const PROBE_TTL_MS = 60_000;
const probes = new WeakMap<Store, { at: number; value: Promise<TablePresence> }>();

/** Which watching tables this database has (cached a minute: tables appear only with a migration at startup). */
export function watchTables(store: Store): Promise<TablePresence> {
  const cached = probes.get(store);
  if (cached && Date.now() - cached.at < PROBE_TTL_MS) return cached.value;
  const value = store.db.introspection.getTables().then((tables) => {
    const names = new Set(tables.map((t) => t.name));
    return Object.fromEntries(WATCH_TABLES.map((t) => [t, names.has(t)])) as TablePresence;
  });
  value.catch(() => probes.delete(store));
  probes.set(store, { at: Date.now(), value });
  return value;
}

export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

export function parseJson<T>(text: unknown): T | null {
  if (typeof text !== 'string') return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}
