// BATON_USERS: who may sign in to the dashboard. Two spellings (docs/dashboard.md):
//   JSON     [{"name":"ana","role":"admin","hash":"scrypt$..."}]
//   compact  ana:admin:scrypt$...,ben:viewer:scrypt$...
// Hashes never contain ':' or ',' (base64url), so the compact form needs no quoting.
import { parsePasswordHash, type ParsedHash } from './password-hash-format.js';

export const ROLES = ['viewer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface DashboardUser {
  name: string;
  role: Role;
  /** The hash as configured (its digest ties sessions to the current password). */
  hash: string;
  parsed: ParsedHash;
}

const NAME = /^[A-Za-z0-9._@+-]{1,64}$/;

/** Every problem at once, one line each, never echoing a hash. */
export function parseUsers(text: string | undefined): { users: DashboardUser[]; problems: string[] } {
  const problems: string[] = [];
  const users: DashboardUser[] = [];
  if (!text || text.trim() === '') return { users, problems };
  let entries: { name?: unknown; role?: unknown; hash?: unknown }[];
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const json: unknown = JSON.parse(trimmed);
      if (!Array.isArray(json)) throw new Error('not an array');
      entries = json.map((e) => (e && typeof e === 'object' ? (e as Record<string, unknown>) : {}));
    } catch (e) {
      return { users, problems: [`BATON_USERS: not valid JSON (${(e as Error).message}); expected [{"name":…,"role":…,"hash":…}] or name:role:hash,…`] };
    }
  } else {
    entries = trimmed
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map((s) => {
        const [name, role, ...rest] = s.split(':');
        return { name, role, hash: rest.join(':') };
      });
  }
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    const where = `BATON_USERS[${i}]`;
    const name = typeof e.name === 'string' ? e.name.trim() : '';
    if (!NAME.test(name)) {
      problems.push(`${where}: name must be 1-64 letters, digits or . _ @ + -`);
      return;
    }
    if (seen.has(name.toLowerCase())) problems.push(`${where}: user ${name} is listed twice`);
    seen.add(name.toLowerCase());
    if (typeof e.role !== 'string' || !(ROLES as readonly string[]).includes(e.role)) {
      problems.push(`${where} (${name}): role must be viewer or admin`);
      return;
    }
    const hash = typeof e.hash === 'string' ? e.hash.trim() : '';
    try {
      users.push({ name, role: e.role as Role, hash, parsed: parsePasswordHash(hash) });
    } catch (err) {
      problems.push(`${where} (${name}): hash: ${(err as Error).message}`);
    }
  });
  return { users, problems };
}
