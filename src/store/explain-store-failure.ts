// Why the store could not be opened and migrated at start-up, as the lines an operator acts on. PostgreSQL's
// answers are told apart by SQLSTATE (postgresql.org/docs/current/errcodes-appendix.html): 3D000 no such
// database, 28000 / 28P01 login refused (unknown role, no pg_hba entry, wrong password), 42501 no privilege.
// These used to surface as a "database migration failed" stack trace.
import { dirname } from 'node:path';
import { maskUrl } from '../config/show-value.js';
import type { StoreTarget } from './database-target.js';

const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNRESET']);

/** The first error in the `cause` chain that carries a code (pg's DatabaseError, a socket error, SqliteError). */
function rootCause(error: unknown): { code?: string; message: string } {
  let e: unknown = error;
  for (let i = 0; i < 5 && e; i++) {
    if (typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string') {
      return { code: (e as { code: string }).code, message: (e as Error).message };
    }
    e = (e as { cause?: unknown }).cause;
  }
  const msg = error instanceof Error ? error.message : String(error);
  // pg's own connect timeout has no code.
  return { code: /timeout expired|Connection terminated due to connection timeout/i.test(msg) ? 'ETIMEDOUT' : undefined, message: msg };
}

export function explainStoreFailure(error: unknown, target: StoreTarget): string[] {
  const { code, message } = rootCause(error);
  if (target.kind === 'sqlite') {
    const what = `Cannot start: cannot open the SQLite database ${target.file} (${message}).`;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      return [what, `Fix: ${dirname(target.file)} is a file, not a directory: point BATON_DATA_DIR (or DATABASE_URL=sqlite:…) at a directory.`];
    }
    return [what, `Fix: let Baton's user write to ${dirname(target.file)} (BATON_DATA_DIR), or set DATABASE_URL to another database.`];
  }
  const where = `PostgreSQL at ${maskUrl(target.url)}`;
  let url: URL | undefined;
  try {
    url = new URL(target.url);
  } catch {
    url = undefined;
  }
  const database = decodeURIComponent(url?.pathname.replace(/^\//, '') ?? '') || '(default)';
  const role = decodeURIComponent(url?.username ?? '') || '(your OS user)';
  if (code && NETWORK.has(code)) {
    return [`Cannot start: ${where} is not reachable (${message}).`, 'Fix: start PostgreSQL there, or correct the host and port in DATABASE_URL.'];
  }
  if (code === '3D000') {
    return [
      `Cannot start: database "${database}" does not exist on ${where}.`,
      `Fix: create it (createdb -h ${url?.hostname || 'localhost'} -p ${url?.port || '5432'} ${database}, or CREATE DATABASE "${database}";), or correct the database name in DATABASE_URL.`,
    ];
  }
  if (code === '28000' || code === '28P01') {
    return [
      `Cannot start: ${where} refused the login as "${role}" (${message}).`,
      `Fix: create the role (CREATE ROLE "${role}" LOGIN PASSWORD '…';) and let it in (pg_hba.conf), or correct the user and password in DATABASE_URL.`,
    ];
  }
  if (code === '42501') {
    return [
      `Cannot start: role "${role}" may not create Baton's tables in database "${database}" (${message}).`,
      `Fix: GRANT CREATE ON SCHEMA public TO "${role}"; (or make it the database's owner), or use a role that may.`,
    ];
  }
  return [`Cannot start: setting up the database on ${where} failed (${message}).`, 'Fix: check the database and DATABASE_URL; LOG_LEVEL=debug shows the full error.'];
}
