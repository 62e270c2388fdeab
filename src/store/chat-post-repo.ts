// Claims for watching-path chat posts (table chat_posts, migration 0004): a row per idempotency key, created
// before the post. `attempted_at` is set just before the post request goes out, the message once it exists, so
// a retry knows whether the earlier attempt never posted (post directly), posted (return the message) or may
// have posted without Baton learning its ts (only then does the chat connector search, from attempted_at on).
import type { Store } from './database.js';
import { nowIso } from './column-codecs.js';

export interface ChatPostRow {
  idempotencyKey: string;
  handoffId: string;
  attemptedAt: string | null;
  /** The message, once Baton knows it exists. */
  message: { channel: string; ts: string; threadTs: string | null } | null;
}

/** The claim for this post, created (never attempted) when there is none yet. */
export async function claimChatPost(store: Store, c: { idempotencyKey: string; handoffId: string }): Promise<ChatPostRow> {
  await store.db
    .insertInto('chat_posts')
    .values({ idempotency_key: c.idempotencyKey, handoff_id: c.handoffId, attempted_at: null, channel: null, message_ts: null, thread_ts: null, posted_at: null, created_at: nowIso() })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .execute();
  const r = await store.db.selectFrom('chat_posts').selectAll().where('idempotency_key', '=', c.idempotencyKey).executeTakeFirstOrThrow();
  return {
    idempotencyKey: r.idempotency_key,
    handoffId: r.handoff_id,
    attemptedAt: r.attempted_at,
    message: r.channel !== null && r.message_ts !== null ? { channel: r.channel, ts: r.message_ts, threadTs: r.thread_ts } : null,
  };
}

/** A post request is about to go out; the first such moment is kept (a later search starts there). */
export async function markChatPostAttempted(store: Store, idempotencyKey: string): Promise<void> {
  await store.db.updateTable('chat_posts').set({ attempted_at: nowIso() }).where('idempotency_key', '=', idempotencyKey).where('attempted_at', 'is', null).execute();
}

/** The message exists: a retry returns it without calling the chat tool. */
export async function recordChatPost(store: Store, idempotencyKey: string, m: { channel: string; ts: string; threadTs: string | null }): Promise<void> {
  await store.db
    .updateTable('chat_posts')
    .set({ channel: m.channel, message_ts: m.ts, thread_ts: m.threadTs, posted_at: nowIso() })
    .where('idempotency_key', '=', idempotencyKey)
    .execute();
}
