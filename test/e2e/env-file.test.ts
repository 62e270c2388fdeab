// `cp .env.example .env && npm start` as a new user does it: the CLI reads ./.env from the directory it
// runs in, says so in one line, and a variable set in the real environment wins over the file.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('.env', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('is read from the working directory; the real environment wins (PORT here)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baton-dotenv-'));
    dirs.push(dir);
    const [filePort, realPort] = [await freePort(), await freePort()];
    await writeFile(
      join(dir, '.env'),
      [
        '# as copied from .env.example, then edited',
        `PORT=${filePort}`,
        'BATON_HOST=127.0.0.1',
        `REDIS_URL=${REDIS_URL}`,
        `BATON_DATA_DIR=${join(dir, 'data')}`,
        `BATON_QUEUE_PREFIX=t${randomBytes(5).toString('hex')}`,
        `MAPPINGS_DIR=${join(process.cwd(), 'mappings')}`,
        'LOG_LEVEL=silent',
        '',
      ].join('\n'),
    );
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(realPort) };
    for (const k of Object.keys(env)) if (/^(BATON_|HUBSPOT_|JIRA_|SLACK_|ASANA_|OIDC_|OTEL_)|^(DATABASE_URL|MAPPINGS_DIR|REDIS_URL|LOG_LEVEL)$/.test(k)) delete env[k];
    // Run from the temp directory, as `npm start` runs from the checkout that holds .env.
    const child = spawn(join(process.cwd(), 'node_modules', '.bin', 'tsx'), [join(process.cwd(), 'src', 'cli', 'main.ts'), 'server'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    try {
      let ready: Response | null = null;
      for (let i = 0; i < 300 && !ready?.ok; i++) {
        ready = await fetch(`http://127.0.0.1:${realPort}/readyz`).catch(() => null);
        if (!ready?.ok) await new Promise((r) => setTimeout(r, 200));
      }
      expect(ready?.status, stderr).toBe(200);
      // Listening on the environment's PORT, not the file's.
      expect(await fetch(`http://127.0.0.1:${filePort}/readyz`).catch(() => null)).toBeNull();
      expect(stderr.split('\n')[0]).toBe(`configuration: read 6 variables from ${join(dir, '.env')}; 1 already set in the environment kept its value`);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 90_000);
});
