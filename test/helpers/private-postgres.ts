// A private PostgreSQL cluster (initdb in a temp dir, its own port and socket dir) for tests that stop
// and restart the server: the shared one on 5432 serves every other test and must never be restarted.
// initdb refuses root, so the cluster belongs to the postgres user (runuser when the test runs as root).
import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.js';

const run = promisify(execFile);

async function pgBin(name: string): Promise<string> {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? (await readdir(root)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(join(root, v, 'bin', name))) return join(root, v, 'bin', name);
  return name; // on PATH
}

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  databaseUrl: string;
  port: number;
  /** Fast shutdown (running transactions rolled back, connections dropped); resolves when it is down. */
  stop(): Promise<void>;
  /** Start again on the same port; resolves when it accepts connections. */
  start(): Promise<void>;
  /** Stop (immediate) and remove the cluster; safe to call twice. */
  close(): Promise<void>;
}

export async function startPrivatePostgres(database = 'baton'): Promise<PrivatePostgres> {
  const asRoot = userInfo().uid === 0;
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'baton-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  if (asRoot) await chown(dir, ...(await postgresIds()));
  const [initdb, pgCtl] = await Promise.all([pgBin('initdb'), pgBin('pg_ctl')]);
  // As root every binary runs as postgres; otherwise as ourselves.
  const exec = (bin: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', bin, ...args]) : run(bin, args);
  const serverOpts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;
  let running = false;

  const start = async () => {
    await exec(pgCtl, ['-D', data, '-l', log, '-o', serverOpts, '-w', '-t', '30', 'start']);
    running = true;
  };
  const stop = async () => {
    await exec(pgCtl, ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
    running = false;
  };

  try {
    await exec(initdb, ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    await start();
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    try {
      await admin.query(`create database ${database}`);
    } finally {
      await admin.end();
    }
  } catch (e) {
    if (running) await exec(pgCtl, ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw e;
  }

  let closed = false;
  return {
    databaseUrl: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    stop,
    start,
    async close() {
      if (closed) return;
      closed = true;
      if (existsSync(join(data, 'postmaster.pid'))) {
        await exec(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function postgresIds(): Promise<[number, number]> {
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: g } = await run('id', ['-g', 'postgres']);
  return [Number(stdout.trim()), Number(g.trim())];
}
