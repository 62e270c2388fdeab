// Every way `baton start|server|worker` cannot start ends in one or two lines on stderr (what failed, the
// value with secrets masked, the fix) and exit 1, no stack trace: real processes against a closed port, a
// taken port, PostgreSQL without the database or the role, and bad values.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { TEST_DATABASE_URL } from '../helpers/databases.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const dirs: string[] = [];
let dataDir: string;

/** The CLI as an admin runs it, with nothing from a developer's own .env (BATON_ENV_FILE=none). */
async function runBaton(role: 'start' | 'server' | 'worker', env: Record<string, string>): Promise<{ code: number | null; lines: string[]; stderr: string }> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(base)) if (/^(BATON_|HUBSPOT_|JIRA_|SLACK_|ASANA_|OIDC_|OTEL_)|^(PORT|DATABASE_URL|MAPPINGS_DIR|REDIS_URL|LOG_LEVEL)$/.test(k)) delete base[k];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', role], {
    env: {
      ...base,
      BATON_ENV_FILE: 'none',
      BATON_HOST: '127.0.0.1',
      REDIS_URL,
      BATON_DATA_DIR: dataDir,
      BATON_QUEUE_PREFIX: `t${randomBytes(5).toString('hex')}`,
      BATON_WORKER_PORT: '0',
      MAPPINGS_DIR: join(process.cwd(), 'mappings'),
      LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, stderr, lines: stderr.split('\n').filter(Boolean) };
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const pgUrl = (o: { user?: string; password?: string; port?: number; database: string }) => {
  const u = new URL(TEST_DATABASE_URL);
  if (o.user) u.username = o.user;
  if (o.password) u.password = o.password;
  if (o.port) u.port = String(o.port);
  u.pathname = `/${o.database}`;
  return u.toString();
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'baton-startup-'));
  dirs.push(dataDir);
});
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('startup failures: one or two lines, exit 1', () => {
  it('Redis unreachable', async () => {
    const port = await freePort();
    const r = await runBaton('start', { REDIS_URL: `redis://:redis-secret@127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([
      `Cannot start: Redis at redis://:***@127.0.0.1:${port} is not reachable (connect ECONNREFUSED 127.0.0.1:${port}).`,
      'Fix: start Redis there, or set REDIS_URL to the Redis Baton should use.',
    ]);
  }, 60_000);

  describe('port in use', () => {
    let taken: Server;
    let port: number;
    beforeAll(async () => {
      port = await freePort();
      taken = createServer();
      await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

    it('PORT (start, server)', async () => {
      for (const role of ['start', 'server'] as const) {
        const r = await runBaton(role, { PORT: String(port) });
        expect(r.code, role).toBe(1);
        expect(r.lines, role).toEqual([
          `Cannot start: port ${port} on 127.0.0.1 is already in use (PORT=${port}).`,
          'Fix: stop the process listening there (another Baton, or `npm run demo`?), or set PORT to a free port.',
        ]);
      }
    }, 60_000);

    it('BATON_WORKER_PORT (worker)', async () => {
      const r = await runBaton('worker', { BATON_WORKER_PORT: String(port) });
      expect(r.code).toBe(1);
      expect(r.lines).toEqual([
        `Cannot start: port ${port} on 127.0.0.1 is already in use (BATON_WORKER_PORT=${port}).`,
        'Fix: stop the process listening there (another Baton, or `npm run demo`?), or set BATON_WORKER_PORT to a free port.',
      ]);
    }, 60_000);

    it('the stack trace only with LOG_LEVEL=debug', async () => {
      const quiet = await runBaton('server', { PORT: String(port) });
      expect(quiet.stderr).not.toMatch(/^\s+at /m);
      const debug = await runBaton('server', { PORT: String(port), LOG_LEVEL: 'debug' });
      expect(debug.code).toBe(1);
      expect(debug.lines.slice(0, 2)).toEqual(quiet.lines);
      expect(debug.stderr).toMatch(/EADDRINUSE[\s\S]*^\s+at /m);
    }, 60_000);
  });

  describe('PostgreSQL', () => {
    const suffix = randomBytes(5).toString('hex');
    const database = `baton_t_${suffix}`;
    const role = `baton_r_${suffix}`;
    beforeAll(async () => {
      await withAdmin(async (c) => {
        await c.query(`create database ${database}`);
        // A role that may log in but, on PostgreSQL 15+, may not create tables in the public schema.
        await c.query(`create role ${role} login`);
      });
    });
    afterAll(async () => {
      await withAdmin(async (c) => {
        await c.query(`drop database if exists ${database} with (force)`);
        await c.query(`drop role if exists ${role}`);
      });
    });

    it('unreachable: the URL with its password masked', async () => {
      const port = await freePort();
      const r = await runBaton('start', { DATABASE_URL: pgUrl({ user: 'baton', password: 'pg-secret', port, database }) });
      expect(r.code).toBe(1);
      expect(r.lines).toEqual([
        `Cannot start: PostgreSQL at postgres://baton:***@127.0.0.1:${port}/${database} is not reachable (connect ECONNREFUSED 127.0.0.1:${port}).`,
        'Fix: start PostgreSQL there, or correct the host and port in DATABASE_URL.',
      ]);
      expect(r.stderr).not.toContain('pg-secret');
    }, 60_000);

    it('database missing', async () => {
      const r = await runBaton('worker', { DATABASE_URL: pgUrl({ database: `${database}_missing` }) });
      expect(r.code).toBe(1);
      const { hostname, port } = new URL(TEST_DATABASE_URL);
      expect(r.lines).toEqual([
        `Cannot start: database "${database}_missing" does not exist on PostgreSQL at ${pgUrl({ database: `${database}_missing` })}.`,
        `Fix: create it (createdb -h ${hostname} -p ${port || '5432'} ${database}_missing, or CREATE DATABASE "${database}_missing";), or correct the database name in DATABASE_URL.`,
      ]);
    }, 60_000);

    it('wrong role: one that does not exist', async () => {
      const url = pgUrl({ user: `${role}_nobody`, password: 'pg-secret', database });
      const r = await runBaton('server', { DATABASE_URL: url });
      expect(r.code).toBe(1);
      expect(r.lines).toEqual([
        `Cannot start: PostgreSQL at ${url.replace('pg-secret', '***')} refused the login as "${role}_nobody" (role "${role}_nobody" does not exist).`,
        `Fix: create the role (CREATE ROLE "${role}_nobody" LOGIN PASSWORD '…';) and let it in (pg_hba.conf), or correct the user and password in DATABASE_URL.`,
      ]);
    }, 60_000);

    it('wrong role: one that may not create the tables', async () => {
      const r = await runBaton('start', { DATABASE_URL: pgUrl({ user: role, database }) });
      expect(r.code).toBe(1);
      expect(r.lines).toEqual([
        `Cannot start: role "${role}" may not create Baton's tables in database "${database}" (permission denied for schema public).`,
        `Fix: GRANT CREATE ON SCHEMA public TO "${role}"; (or make it the database's owner), or use a role that may.`,
      ]);
    }, 60_000);
  });

  it('SQLite: the data directory is a file', async () => {
    const file = join(dataDir, 'not-a-directory');
    await writeFile(file, '');
    const r = await runBaton('start', { BATON_DATA_DIR: file });
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([
      `Cannot start: cannot open the SQLite database ${join(file, 'baton.db')} (EEXIST: file already exists, mkdir '${file}').`,
      `Fix: ${file} is a file, not a directory: point BATON_DATA_DIR (or DATABASE_URL=sqlite:…) at a directory.`,
    ]);
  }, 60_000);

  it('bad values: each named with its value and the expected range', async () => {
    const r = await runBaton('start', { PORT: '70000', BATON_WORKER_PORT: '99999', REDIS_URL: 'http://user:redis-secret@cache:6379' });
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([
      'Invalid configuration (fix these variables in the environment or in .env):',
      '  - PORT=70000: expected a port number from 1 to 65535 (or 0 for any free port)',
      '  - REDIS_URL=http://user:***@cache:6379: expected redis:// or rediss://',
      '  - BATON_WORKER_PORT=99999: expected a port number from 1 to 65535 (or 0 for any free port)',
    ]);
  }, 60_000);
});

describe('no valid mapping: refuse to start, naming the directory and the fix', () => {
  const fix = 'Fix: put at least one mapping there (start from mappings/default.yaml in the Baton repository; docs/mappings.md), or set MAPPINGS_DIR to the directory that holds yours.';

  it('missing directory (server and worker alike)', async () => {
    const dir = join(dataDir, 'no-such-mappings');
    for (const role of ['server', 'worker'] as const) {
      const r = await runBaton(role, { MAPPINGS_DIR: dir });
      expect(r.code, role).toBe(1);
      expect(r.lines, role).toEqual([`Cannot start: the mappings directory ${dir} does not exist.`, fix]);
    }
  }, 60_000);

  it('empty directory', async () => {
    const dir = join(dataDir, 'empty-mappings');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'README.md'), 'not a mapping');
    const r = await runBaton('start', { MAPPINGS_DIR: dir });
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([`Cannot start: no mapping file (*.yaml, *.yml) in ${dir}.`, fix]);
  }, 60_000);

  it('every mapping rejected: the problems, then what to do', async () => {
    const dir = join(dataDir, 'rejected-mappings');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'a.yaml'), 'name: [unclosed\n');
    await writeFile(join(dir, 'b.yaml'), '');
    const r = await runBaton('worker', { MAPPINGS_DIR: dir });
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([
      `${join(dir, 'a.yaml')}:2:1: name[0]: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
      `${join(dir, 'b.yaml')}:1:1: (top level): the file is empty; a mapping needs at least name, trigger, document and work`,
      `Cannot start: every mapping in ${dir} was rejected (2 problems above).`,
      `Fix: correct them (\`baton validate ${dir}\` lists them too) and start again.`,
    ]);
  }, 60_000);
});
