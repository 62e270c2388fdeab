// Password hashes for BATON_USERS: scrypt (node:crypto) with a random salt, encoded as
// `scrypt$<N>$<r>$<p>$<salt>$<key>` (base64url, so the hash fits in env values and the compact
// `name:role:hash` list); src/config/password-hash-format.ts reads the format. Verification recomputes
// with the stored parameters and compares in constant time.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { parsePasswordHash, type ParsedHash } from '../../config/password-hash-format.js';

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));

/** OWASP's scrypt minimum is N=2^17,r=8,p=1; 2^15 with r=8 keeps a login under ~100 ms on a small VM while costing an attacker 32 MiB per guess. */
export const DEFAULT_SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
const maxmem = (N: number, r: number, p: number) => 128 * N * r * p + 64 * 1024 * 1024;

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
