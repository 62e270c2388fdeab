// Email → Jira accountId (Jira assigns by accountId only). GET /rest/api/3/user/search?query=<email>
// matches prefixes of names and emails, so the answer is picked carefully: an exact, case-insensitive
// emailAddress match when Jira shows emails; when privacy settings hide them, the single active human
// result, and nothing when that is ambiguous. Answers (including "nobody") are cached for a while so a
// burst of handoffs does not search the same people again and again.
import type { JiraCall } from './jira-client.js';

export interface JiraUserLike {
  accountId?: string;
  accountType?: string;
  emailAddress?: string;
  displayName?: string;
  active?: boolean;
}

export const DEFAULT_USER_CACHE_MS = 10 * 60 * 1000;

/** The accountId for `email` among search results, or null. */
export function pickUser(email: string, users: readonly JiraUserLike[]): string | null {
  const wanted = email.trim().toLowerCase();
  const humans = users.filter((u) => u.accountId && u.active !== false && (u.accountType === undefined || u.accountType === 'atlassian'));
  const exact = humans.find((u) => u.emailAddress?.trim().toLowerCase() === wanted);
  if (exact?.accountId) return exact.accountId;
  // Someone with a visible, different email is not our person; only hidden-email results may stand in.
  const hidden = humans.filter((u) => u.emailAddress === undefined || u.emailAddress === '');
  const only = hidden.length === 1 && humans.length === 1 ? hidden[0] : undefined;
  return only?.accountId ?? null;
}

export interface UserDirectory {
  accountIdFor(email: string): Promise<string | null>;
}

export function createUserDirectory(call: JiraCall, ttlMs = DEFAULT_USER_CACHE_MS, now: () => number = Date.now): UserDirectory {
  const cache = new Map<string, { value: Promise<string | null>; expiresAt: number }>();
  return {
    accountIdFor(email) {
      const key = email.trim().toLowerCase();
      const hit = cache.get(key);
      if (hit && hit.expiresAt > now()) return hit.value;
      const value = call({ operation: `search the Jira user ${key}`, permission: 'Browse users and groups' }, (c) =>
        c.userSearch.findUsers({ query: key, maxResults: 50 }),
      ).then((users) => pickUser(key, users as JiraUserLike[]));
      cache.set(key, { value, expiresAt: now() + ttlMs });
      // A failure is not an answer: forget it so the next attempt asks again.
      value.catch(() => {
        if (cache.get(key)?.value === value) cache.delete(key);
      });
      return value;
    },
  };
}
