// `.env` like every Node service: read from the working directory when it is there (or the file named by
// --dotenv / BATON_ENV_FILE), with real environment variables winning over the file. Parsed with Node's
// own dotenv parser (util.parseEnv, Node >= 20.12), so quoting and comments follow Node's `--env-file`.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

export interface EnvFileRead {
  /** Absolute path of the file read. */
  file: string;
  /** Variables the file set. */
  applied: number;
  /** Variables the file also names but the environment already set: the environment's value stays. */
  kept: number;
}

export class EnvFileError extends Error {
  override readonly name = 'EnvFileError';
}

/** BATON_ENV_FILE=none: read no file at all, not even ./.env. */
const NO_FILE = 'none';

/**
 * Reads the env file into `env` (only variables `env` does not have yet). Returns what it read, or null when
 * there was nothing to read: no ./.env, or BATON_ENV_FILE=none. A file named explicitly must exist.
 */
export function loadEnvFile(opts: { cwd: string; env?: Record<string, string | undefined>; path?: string }): EnvFileRead | null {
  // The one place besides environment.ts that touches process.env: filling it from .env before anything reads it.
  const env = opts.env ?? process.env;
  const named = opts.path ?? (env.BATON_ENV_FILE?.trim() || undefined);
  if (named === NO_FILE) return null;
  const file = resolve(opts.cwd, named ?? '.env');
  if (!existsSync(file)) {
    if (named === undefined) return null;
    const via = opts.path !== undefined ? '--dotenv' : 'BATON_ENV_FILE';
    throw new EnvFileError(`${via}=${named}: no such file (${file}); fix the path, or leave it unset to read ./.env when present`);
  }
  let parsed: NodeJS.Dict<string>;
  try {
    parsed = parseEnv(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new EnvFileError(`${file}: cannot be read (${e instanceof Error ? e.message : String(e)}); fix its permissions or set BATON_ENV_FILE=none`);
  }
  let applied = 0;
  let kept = 0;
  for (const [key, value] of Object.entries(parsed)) {
    if (value === undefined) continue;
    if (env[key] !== undefined) {
      kept++;
      continue;
    }
    env[key] = value;
    applied++;
  }
  return { file, applied, kept };
}

/** The one line a command prints after reading the file. */
export function describeEnvFileRead(r: EnvFileRead): string {
  const kept = r.kept > 0 ? `; ${r.kept} already set in the environment kept ${r.kept === 1 ? 'its value' : 'their values'}` : '';
  return `configuration: read ${r.applied} variable${r.applied === 1 ? '' : 's'} from ${r.file}${kept}`;
}
