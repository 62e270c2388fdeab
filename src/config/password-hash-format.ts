// The format of a BATON_USERS password hash, `scrypt$<N>$<r>$<p>$<salt>$<key>` (base64url), read here so
// the config can reject a malformed hash at startup; hashing and verifying are the dashboard's
// (src/dashboard/auth/password-hash.ts).

// Upper bounds on parameters read from config, so a typo cannot make each login take minutes or gigabytes.
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

export interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

/** Throws with a message naming what is wrong (used by config validation). */
export function parsePasswordHash(text: string): ParsedHash {
  const parts = text.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') throw new Error('expected scrypt$N$r$p$salt$key (make one with `baton user hash`)');
  const [N, r, p] = parts.slice(1, 4).map((s) => Number(s)) as [number, number, number];
  if (!Number.isInteger(N) || N < 2 || N > MAX_N || (N & (N - 1)) !== 0) throw new Error(`scrypt N must be a power of two up to ${MAX_N}`);
  if (!Number.isInteger(r) || r < 1 || r > MAX_R) throw new Error(`scrypt r must be 1..${MAX_R}`);
  if (!Number.isInteger(p) || p < 1 || p > MAX_P) throw new Error(`scrypt p must be 1..${MAX_P}`);
  const salt = Buffer.from(parts[4]!, 'base64url');
  const key = Buffer.from(parts[5]!, 'base64url');
  if (salt.length < 8) throw new Error('scrypt salt is too short');
  if (key.length < 16) throw new Error('scrypt key is too short');
  return { N, r, p, salt, key };
}
