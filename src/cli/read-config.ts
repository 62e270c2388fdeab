// Every command that needs the configuration reads it the same way: problems printed, one per line.
import { readEnvOptions, ConfigError, type BatonConfig } from '../config/read-env-options.js';
import { processEnv, type Env } from '../config/environment.js';

/** The configuration, or null after printing why it is invalid (the caller exits 1). */
export function readConfigOrReport(out: NodeJS.WritableStream, env: Env = processEnv()): BatonConfig | null {
  try {
    return readEnvOptions(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    out.write(`${e.message}\n`);
    return null;
  }
}
