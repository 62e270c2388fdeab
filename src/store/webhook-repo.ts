// Inbound webhooks of the delivery tools: delivery ids already handled (Jira's X-Atlassian-Webhook-Identifier
// is stable across retries) and the per-webhook secrets Asana hands over in its handshake.
import type { Store } from './database.js';
import { nowIso } from './column-codecs.js';

/** True the first time a (source, delivery id) is seen; false for every redelivery. */
export async function recordDelivery(store: Store, source: string, deliveryId: string): Promise<boolean> {
  const r = await store.db
    .insertInto('webhook_deliveries')
    .values({ source, delivery_id: deliveryId, received_at: nowIso() })
    .onConflict((oc) => oc.columns(['source', 'delivery_id']).doNothing())
    .returning('delivery_id')
    .executeTakeFirst();
  return r !== undefined;
}

/** Deliveries older than the tools' retry windows are no use for dedupe. */
export async function pruneDeliveries(store: Store, olderThan: string): Promise<number> {
  const r = await store.db.deleteFrom('webhook_deliveries').where('received_at', '<', olderThan).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function saveWebhookSecret(store: Store, source: string, secret: string): Promise<void> {
  await store.db
    .insertInto('webhook_secrets')
    .values({ source, secret, created_at: nowIso() })
    .onConflict((oc) => oc.columns(['source', 'secret']).doNothing())
    .execute();
}

export async function listWebhookSecrets(store: Store, source: string): Promise<string[]> {
  const rows = await store.db.selectFrom('webhook_secrets').select('secret').where('source', '=', source).orderBy('id', 'desc').execute();
  return rows.map((r) => r.secret);
}
