// The README's first command: `npm run demo` starts Baton in dry-run, sends signed webhooks and prints
// what Baton did. Here with --exit, its own database file, queue prefix and port.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';

describe('npm run demo', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('hands off both sample deals in dry-run, rejects the forged request, and says how to sign in', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baton-demo-'));
    dirs.push(dir);
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), BATON_DATA_DIR: dir, BATON_QUEUE_PREFIX: `demo-test-${port}`, LOG_LEVEL: 'silent' };
    for (const k of ['DATABASE_URL', 'BATON_USERS', 'HUBSPOT_ACCESS_TOKEN', 'JIRA_BASE_URL', 'SLACK_BOT_TOKEN', 'ASANA_ACCESS_TOKEN', 'BATON_PUBLIC_URL']) delete env[k];
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo/run-demo.ts', '--exit'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += String(d)));
    child.stderr!.on('data', (d) => (out += String(d)));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, out).toBe(0);
    expect(out).toContain('a forged request (bad signature)');
    expect(out).toMatch(/forged request \(bad signature\)\s+→ 401/);
    expect(out).toContain('2 handoff(s):');
    expect(out.match(/step create-work\s+done/g)).toHaveLength(2);
    expect(out).toContain('dry-run jira.createWork: project DEL: 1 parent, 7 tasks');
    expect(out).toContain('document: INCOMPLETE, missing:');
    expect(out).toMatch(/Dashboard: http:\/\/\S+ \(sign in as demo \/ \S{10,}\)/);
  }, 90_000);
});
