import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeStore, openStore, pingStore, type Store } from '../../../src/store/database.js';
import { resolveStoreTarget } from '../../../src/store/database-target.js';
import { storeBackends, type TestStore } from '../../helpers/databases.js';

describe('resolveStoreTarget', () => {
  it('defaults to baton.db under the data dir when DATABASE_URL is unset or blank', () => {
    expect(resolveStoreTarget({ dataDir: './data' })).toEqual({ kind: 'sqlite', file: path.join('data', 'baton.db') });
    expect(resolveStoreTarget({ databaseUrl: '  ', dataDir: '/var/baton' })).toEqual({
      kind: 'sqlite',
      file: '/var/baton/baton.db',
    });
  });

  it('reads sqlite: and file: URLs as file paths', () => {
    expect(resolveStoreTarget({ databaseUrl: 'sqlite:/srv/b.db', dataDir: 'x' })).toEqual({ kind: 'sqlite', file: '/srv/b.db' });
    expect(resolveStoreTarget({ databaseUrl: 'sqlite:///srv/b.db', dataDir: 'x' })).toEqual({ kind: 'sqlite', file: '/srv/b.db' });
    expect(resolveStoreTarget({ databaseUrl: 'sqlite:./rel/b.db', dataDir: 'x' })).toEqual({ kind: 'sqlite', file: './rel/b.db' });
    expect(resolveStoreTarget({ databaseUrl: 'file:/srv/b.db', dataDir: 'x' })).toEqual({ kind: 'sqlite', file: '/srv/b.db' });
    expect(resolveStoreTarget({ databaseUrl: 'file:///srv/with%20space.db', dataDir: 'x' })).toEqual({
      kind: 'sqlite',
      file: '/srv/with space.db',
    });
  });

  it('takes postgres:// and postgresql:// URLs as PostgreSQL', () => {
    for (const url of ['postgres://u:p@db:5432/baton', 'postgresql://db/baton', 'POSTGRES://db/baton']) {
      expect(resolveStoreTarget({ databaseUrl: url, dataDir: 'x' })).toEqual({ kind: 'postgres', url });
    }
  });

  it('rejects other schemes naming only the scheme, never the credentials', () => {
    const attempt = () => resolveStoreTarget({ databaseUrl: 'mysql://root:hunter2@db/baton', dataDir: 'x' });
    expect(attempt).toThrow(/scheme "mysql" is not supported/);
    expect(attempt).not.toThrow(/hunter2/);
    expect(() => resolveStoreTarget({ databaseUrl: 'sqlite:', dataDir: 'x' })).toThrow(/names no file/);
  });
});

describe('describeStore', () => {
  it('says which database without user or password', () => {
    expect(describeStore({ dataDir: 'data' })).toBe(`sqlite ${path.join('data', 'baton.db')}`);
    expect(describeStore({ databaseUrl: 'postgres://baton:s3cret@127.0.0.1:5432/test', dataDir: 'x' })).toBe(
      'postgres 127.0.0.1:5432/test',
    );
    const noPort = describeStore({ databaseUrl: 'postgresql://admin:pw@db.internal/baton?sslmode=require', dataDir: 'x' });
    expect(noPort).toBe('postgres db.internal:5432/baton');
    expect(noPort).not.toMatch(/admin|pw/);
  });
});

describe('openStore on SQLite', () => {
  let dir: string;
  const opened: Store[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'baton-open-'));
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the missing data dir and applies the pragmas', async () => {
    const dataDir = path.join(dir, 'nested', 'data');
    const store = openStore({ dataDir });
    opened.push(store);
    expect(store.dialect).toBe('sqlite');
    expect(existsSync(path.join(dataDir, 'baton.db'))).toBe(true);
    const pragma = async (name: string) =>
      Object.values((await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(store.db)).rows[0] ?? {})[0];
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('synchronous')).toBe(1); // NORMAL
    expect(await pragma('busy_timeout')).toBe(5000);
    expect(await pragma('foreign_keys')).toBe(1);
  });

  it('opens the file a file:// URL names', async () => {
    const file = path.join(dir, 'sub dir', 'x.db');
    const store = openStore({ databaseUrl: pathToFileURL(file).href, dataDir: path.join(dir, 'unused') });
    opened.push(store);
    await pingStore(store);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(path.join(dir, 'unused'))).toBe(false);
  });
});

describe.each(storeBackends())('pingStore and close on $name', (backend) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await backend.open({ migrate: false });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('resolves while the database answers and rejects once the store is closed', async () => {
    const s = t.openAnother();
    await expect(pingStore(s)).resolves.toBeUndefined();
    await s.close();
    await s.close(); // idempotent
    await expect(pingStore(s)).rejects.toThrow();
    // The other connection is unaffected.
    await expect(pingStore(t.store)).resolves.toBeUndefined();
  });
});

describe('pingStore on an unreachable PostgreSQL', () => {
  it('rejects for a port nobody listens on', async () => {
    const store = openStore({ databaseUrl: 'postgres://postgres@127.0.0.1:1/test', dataDir: 'unused' });
    try {
      await expect(pingStore(store)).rejects.toThrow(/ECONNREFUSED|connect/i);
    } finally {
      await store.close();
    }
  });

  it('rejects for a database that does not exist', async () => {
    const store = openStore({ databaseUrl: 'postgres://postgres@127.0.0.1:5432/baton_no_such_db', dataDir: 'unused' });
    try {
      await expect(pingStore(store)).rejects.toThrow(/does not exist/);
    } finally {
      await store.close();
    }
  });

  it('rejects within its timeout when the server never answers', async () => {
    // A listening socket that never speaks: the connection opens, the startup handshake never completes.
    const net = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const server = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as import('node:net').AddressInfo).port;
    const store = openStore({ databaseUrl: `postgres://postgres@127.0.0.1:${port}/test`, dataDir: 'unused' });
    try {
      const started = Date.now();
      await expect(pingStore(store, 300)).rejects.toThrow(/did not answer within 300 ms/);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
      await store.close();
    }
  });
});
