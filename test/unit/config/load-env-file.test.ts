import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEnvFileRead, EnvFileError, loadEnvFile } from '../../../src/config/load-env-file.js';

describe('loadEnvFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-envfile-'));
    await writeFile(join(dir, '.env'), '# Baton\nPORT=4000\nBATON_HOST="127.0.0.1"\nHUBSPOT_ACCESS_TOKEN=pat-from-file\nEMPTY=\n');
    await writeFile(join(dir, 'prod.env'), 'PORT=5000\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads ./.env into what the environment does not set; the environment wins', () => {
    const env: Record<string, string | undefined> = { PORT: '3001', EMPTY: 'set' };
    const read = loadEnvFile({ cwd: dir, env });
    expect(read).toEqual({ file: join(dir, '.env'), applied: 2, kept: 2 });
    expect(env).toEqual({ PORT: '3001', BATON_HOST: '127.0.0.1', HUBSPOT_ACCESS_TOKEN: 'pat-from-file', EMPTY: 'set' });
    expect(describeEnvFileRead(read!)).toBe(`configuration: read 2 variables from ${join(dir, '.env')}; 2 already set in the environment kept their values`);
  });

  it('nothing to read without ./.env; BATON_ENV_FILE=none reads nothing', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'baton-envfile-none-'));
    expect(loadEnvFile({ cwd: empty, env: {} })).toBeNull();
    await rm(empty, { recursive: true });
    const env: Record<string, string | undefined> = { BATON_ENV_FILE: 'none' };
    expect(loadEnvFile({ cwd: dir, env })).toBeNull();
    expect(env.PORT).toBeUndefined();
  });

  it('a named file (--dotenv, else BATON_ENV_FILE) replaces ./.env and must exist', () => {
    const env: Record<string, string | undefined> = { BATON_ENV_FILE: 'prod.env' };
    expect(loadEnvFile({ cwd: dir, env })).toEqual({ file: join(dir, 'prod.env'), applied: 1, kept: 0 });
    expect(env.PORT).toBe('5000');
    expect(() => loadEnvFile({ cwd: dir, env: {}, path: 'missing.env' })).toThrow(EnvFileError);
    expect(() => loadEnvFile({ cwd: dir, env: {}, path: 'missing.env' })).toThrow(
      `--dotenv=missing.env: no such file (${join(dir, 'missing.env')}); fix the path, or leave it unset to read ./.env when present`,
    );
    expect(() => loadEnvFile({ cwd: dir, env: { BATON_ENV_FILE: 'gone.env' } })).toThrow(/^BATON_ENV_FILE=gone.env: no such file/);
  });
});
