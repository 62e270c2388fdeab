// A mapping rejected at start-up beside a valid one: Baton runs (one mapping works), but a person sees the
// rejection: an ERROR log line naming the file, position and problem; /readyz lists the file; the admin
// page says so at its top. (No valid mapping at all: the process refuses to start, test/e2e/startup-failures.test.ts.)
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaton, type Harness } from '../../helpers/baton-harness.js';
import { DashboardClient, USERS, usersEnv } from '../dashboard/dashboard-client.js';

describe('a mapping rejected beside a valid one', () => {
  let b: Harness;
  let dir: string;
  let broken: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-rejected-'));
    await copyFile(join(process.cwd(), 'mappings', 'default.yaml'), join(dir, 'default.yaml'));
    broken = join(dir, 'enterprise.yaml');
    await writeFile(broken, 'name: enterprise\ntrigger: [unclosed\n');
    b = await startBaton({ workers: false, env: { MAPPINGS_DIR: dir, BATON_USERS: await usersEnv(), BATON_SESSION_SECRET: 'x'.repeat(40) } });
  });
  afterAll(async () => {
    await b?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is an ERROR log line that names the file, the position and the problem', () => {
    const lines = b.logs.map((l) => JSON.parse(l) as { level: number; msg: string });
    const rejected = lines.filter((l) => l.msg.startsWith('mapping rejected'));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.level).toBe(50); // pino's error
    expect(rejected[0]!.msg).toMatch(new RegExp(`^mapping rejected: ${broken}:3:1: trigger\\[0\\]: YAML: .+ \\(deals it would match are not handed off until it is fixed\\)$`));
  });

  it('/readyz stays 200 (one mapping works) and lists the rejected file', async () => {
    const res = await fetch(`${b.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, redis: true, store: true, mappings: { valid: 1, rejected: [broken] } });
  });

  it('the admin page says so at its top, before the failed work', async () => {
    const c = new DashboardClient(b.url);
    expect((await c.login(USERS.admin.name, USERS.admin.password)).status).toBe(303);
    const page = await c.get('/admin');
    expect(page.status).toBe(200);
    const notice = `1 mapping file was rejected at start-up (${broken}): deals it would match are not handed off.`;
    expect(page.text).toContain(notice);
    expect(page.text.indexOf(notice)).toBeLessThan(page.text.indexOf('Failed work'));
  });
});
