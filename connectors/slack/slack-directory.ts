// Who and where in Slack: emails → user ids (users.lookupByEmail) and channel names → ids (conversations.list),
// cached per process so a burst of handoffs for the same rep costs one lookup. Concurrent lookups of the same
// key share one request.
import { PermanentError } from '../../src/handoff/errors.js';
import { CONNECTOR } from './classify-error.js';
import type { SlackApi } from './slack-api.js';

/** Not-found answers are remembered for at most this long: a person invited to Slack today gets mentioned soon. */
export const NEGATIVE_CACHE_MAX_MS = 5 * 60 * 1000;
/** conversations.list page size (Slack recommends ≤ 200). */
export const LIST_PAGE_SIZE = 200;

/** Slack ids: C… public, G… private (legacy), D… DMs. Anything else is a name. */
export const looksLikeChannelId = (channel: string): boolean => /^[CGD][A-Z0-9]{6,}$/.test(channel);

export interface SlackDirectory {
  /** The user id for an email, or null when Slack has no (active) user with it. */
  lookupUser(email: string): Promise<string | null>;
  /** A channel id for an id or a name ("#client-acme" / "client-acme"). */
  resolveChannel(channel: string): Promise<string>;
}

interface Entry<T> {
  value: Promise<T>;
  expiresAt: number;
}

export function createSlackDirectory(api: SlackApi, opts: { cacheMs: number; now?: () => number }): SlackDirectory {
  const now = opts.now ?? Date.now;
  const users = new Map<string, Entry<string | null>>();
  const channels = new Map<string, Entry<string | null>>();

  function cached<T>(map: Map<string, Entry<T>>, key: string, load: () => Promise<T>, ttl: (v: T) => number): Promise<T> {
    const hit = map.get(key);
    if (hit && hit.expiresAt > now()) return hit.value;
    const value = load();
    const entry: Entry<T> = { value, expiresAt: Number.POSITIVE_INFINITY };
    map.set(key, entry);
    value.then(
      (v) => {
        entry.expiresAt = now() + ttl(v);
      },
      () => {
        // Failures are not cached: the next attempt asks again.
        if (map.get(key) === entry) map.delete(key);
      },
    );
    return value;
  }
  const ttl = (v: unknown) => (v === null ? Math.min(opts.cacheMs, NEGATIVE_CACHE_MAX_MS) : opts.cacheMs);

  async function loadUser(email: string): Promise<string | null> {
    const res = await api.call('users.lookupByEmail', { email }, { tolerate: ['users_not_found'] });
    if (!res.ok) return null;
    const user = res.user as { id?: unknown; deleted?: unknown } | undefined;
    return user && typeof user.id === 'string' && user.deleted !== true ? user.id : null;
  }

  async function loadChannelId(name: string): Promise<string | null> {
    let cursor: string | undefined;
    do {
      const res = await api.call('conversations.list', {
        types: 'public_channel,private_channel',
        exclude_archived: true,
        limit: LIST_PAGE_SIZE,
        ...(cursor ? { cursor } : {}),
      });
      const list = Array.isArray(res.channels) ? (res.channels as Array<{ id?: unknown; name?: unknown }>) : [];
      for (const c of list) {
        if (typeof c.id !== 'string' || typeof c.name !== 'string') continue;
        // Remember every name seen on the way: the next lookup is likely another channel of the same list.
        if (!channels.has(c.name)) channels.set(c.name, { value: Promise.resolve(c.id), expiresAt: now() + opts.cacheMs });
        if (c.name === name) return c.id;
      }
      cursor = nextCursor(res);
    } while (cursor);
    return null;
  }

  return {
    lookupUser(email) {
      const key = email.trim().toLowerCase();
      return cached(users, key, () => loadUser(key), ttl);
    },
    async resolveChannel(channel) {
      const trimmed = channel.trim();
      if (looksLikeChannelId(trimmed)) return trimmed;
      const name = trimmed.replace(/^#/, '').toLowerCase();
      const id = await cached(channels, name, () => loadChannelId(name), ttl);
      if (id === null) {
        throw new PermanentError(
          `Slack: channel #${name} not found (or archived): check the channel on the deal or the mapping, prefer the channel id, and invite the Baton app to private channels`,
          CONNECTOR,
          'channel',
        );
      }
      return id;
    },
  };
}

/** Slack's cursor pagination: response_metadata.next_cursor, empty when done. */
export function nextCursor(res: Record<string, unknown>): string | undefined {
  const meta = res.response_metadata as { next_cursor?: unknown } | undefined;
  return typeof meta?.next_cursor === 'string' && meta.next_cursor !== '' ? meta.next_cursor : undefined;
}
