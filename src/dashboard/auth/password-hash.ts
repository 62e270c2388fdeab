// Password hashes for BATON_USERS: scrypt (node:crypto) with a random salt, encoded as
// `scrypt$<N>$<r>$<p>$<salt>$<key>` (base64url, so the hash fits in env values and the compact
// `name:role:hash` list). Verification recomputes with the stored parameters and compares in constant time.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));

/** OWASP's scrypt minimum is N=2^17,r=8,p=1; 2^15 with r=8 keeps a login under ~100 ms on a small VM while costing an attacker 32 MiB per guess. */
export const DEFAULT_SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
// Upper bounds on parameters read from config, so a typo cannot make each login take minutes or gigabytes.
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

const maxmem = (N: number, r: number, p: number) => 128 * N * r * p + 64 * 1024 * 1024;

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

export async function hashPassword(password: string, params: { N: number; r: number; p: number } = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { ...params, maxmem: maxmem(params.N, params.r, params.p) });
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, hash: ParsedHash): Promise<boolean> {
  const key = await scrypt(password.normalize('NFC'), hash.salt, hash.key.length, { N: hash.N, r: hash.r, p: hash.p, maxmem: maxmem(hash.N, hash.r, hash.p) });
  return timingSafeEqual(key, hash.key);
}

let decoy: Promise<ParsedHash> | undefined;
/**
 * Spends the same time as a real check for a name that does not exist, so response time does not
 * tell an attacker which user names are valid.
 */
export async function verifyAgainstDecoy(password: string): Promise<false> {
  decoy ??= hashPassword('decoy').then(parsePasswordHash);
  await verifyPassword(password, await decoy);
  return false;
}
