// Which database a DATABASE_URL names. Unset means the zero-setup default: a SQLite file under dataDir.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type StoreTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export interface StoreLocation {
  /** postgres://… / postgresql://… for PostgreSQL; sqlite:<path>, file:<path> or unset for SQLite. */
  databaseUrl?: string | undefined;
  /** Where the default SQLite file (baton.db) lives. */
  dataDir: string;
}

export function resolveStoreTarget({ databaseUrl, dataDir }: StoreLocation): StoreTarget {
  const url = databaseUrl?.trim();
  if (!url) return { kind: 'sqlite', file: path.join(dataDir, 'baton.db') };
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', url };
  if (url === ':memory:') return { kind: 'sqlite', file: ':memory:' };
  if (/^file:\/\//i.test(url)) return { kind: 'sqlite', file: fileURLToPath(url) };
  const sqlite = /^(?:sqlite|file):(.*)$/i.exec(url);
  if (sqlite) {
    // sqlite:///abs/path and sqlite:/abs/path both mean /abs/path; sqlite:./rel stays relative.
    const file = (sqlite[1] ?? '').replace(/^\/\//, '');
    if (!file) throw new Error('DATABASE_URL "sqlite:" names no file: use sqlite:/path/to/baton.db');
    return { kind: 'sqlite', file };
  }
  // Only the scheme is echoed: the rest may hold a password.
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1] ?? '(none)';
  throw new Error(
    `DATABASE_URL scheme "${scheme}" is not supported: use postgres://user@host:5432/db, sqlite:/path/to/baton.db, or leave it unset for ${path.join(dataDir, 'baton.db')}`,
  );
}

/** For logs: where the store is, never who logs in or with what password. */
export function describeTarget(target: StoreTarget): string {
  if (target.kind === 'sqlite') return `sqlite ${target.file}`;
  try {
    const u = new URL(target.url);
    const host = u.hostname || u.searchParams.get('host') || 'localhost';
    return `postgres ${host}:${u.port || '5432'}${u.pathname || '/'}`;
  } catch {
    return 'postgres (unparseable URL)';
  }
}
