// Named watermarks (e.g. the reconciliation's "searched up to"), shared by every process.
import type { Store } from './database.js';
import { nowIso, storableText } from './column-codecs.js';

export async function getCursor(store: Store, name: string): Promise<string | null> {
  const row = await store.db.selectFrom('cursors').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value ?? null;
}

export async function setCursor(store: Store, name: string, value: string): Promise<void> {
  const updatedAt = nowIso();
  value = storableText(value);
  await store.db
    .insertInto('cursors')
    .values({ name, value, updated_at: updatedAt })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value, updated_at: updatedAt }))
    .execute();
}
