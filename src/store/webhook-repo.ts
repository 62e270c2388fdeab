// Inbound webhooks of the delivery tools: delivery ids already handled (Jira's X-Atlassian-Webhook-Identifier
// is stable across retries) and the per-webhook secrets Asana hands over in its handshake. A delivery is
// recorded only once its effects are committed (jobs/task-status.ts), so a retry after a failure re-runs it.
import type { Store } from './database.js';
import { nowIso } from './column-codecs.js';

/** Whether a delivery's effects were all committed already: a redelivery of it has nothing left to do. */
export async function isDeliveryHandled(store: Store, source: string, deliveryId: string): Promise<boolean> {
  const r = await store.db.selectFrom('webhook_deliveries').select('delivery_id').where('source', '=', source).where('delivery_id', '=', deliveryId).executeTakeFirst();
  return r !== undefined;
}

/** Marks a delivery handled (after its effects). True the first time a (source, delivery id) is recorded. */
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

/**
 * The secret a webhook's handshake handed over, replacing the one an earlier handshake of the same webhook
 * left: one current secret per webhook, so old ones stop verifying deliveries.
 */
export async function saveWebhookSecret(store: Store, source: string, webhook: string, secret: string): Promise<void> {
  await store.db
    .insertInto('webhook_secrets')
    .values({ source, webhook, secret, created_at: nowIso() })
    .onConflict((oc) => oc.columns(['source', 'webhook']).doUpdateSet({ secret, created_at: nowIso() }))
    .execute();
}

/** The current secret of one webhook; null before its handshake. */
export async function currentWebhookSecret(store: Store, source: string, webhook: string): Promise<string | null> {
  const r = await store.db.selectFrom('webhook_secrets').select('secret').where('source', '=', source).where('webhook', '=', webhook).executeTakeFirst();
  return r?.secret ?? null;
}

/** Every webhook's current secret (newest first). */
export async function listWebhookSecrets(store: Store, source: string): Promise<string[]> {
  const rows = await store.db.selectFrom('webhook_secrets').select('secret').where('source', '=', source).orderBy('id', 'desc').execute();
  return rows.map((r) => r.secret);
}
