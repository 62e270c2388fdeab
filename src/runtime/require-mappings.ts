// Not ready means not ready: a process with no valid mapping would take every webhook and hand off nothing,
// so it refuses to start and says which directory and what to do. Mappings rejected beside valid ones are
// logged at ERROR, one line each, and stay visible on /readyz and the admin page (docs/operations.md).
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { formatMappingError, loadMappingsFromDir, type LoadedMapping, type MappingError } from '../mapping/load-mappings.js';
import { StartupError } from './startup-error.js';

const FIX = 'Fix: put at least one mapping there (start from mappings/default.yaml in the Baton repository; docs/mappings.md), or set MAPPINGS_DIR to the directory that holds yours.';

export async function loadRequiredMappings(dir: string, env: Record<string, string | undefined>): Promise<{ mappings: LoadedMapping[]; errors: MappingError[] }> {
  const shown = isAbsolute(dir) ? dir : `${dir} (${resolve(dir)})`;
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new StartupError([`Cannot start: the mappings directory ${shown} does not exist.`, FIX]);
  const loaded = await loadMappingsFromDir(dir, env);
  if (loaded.mappings.length > 0) return loaded;
  if (loaded.errors.length === 0) throw new StartupError([`Cannot start: no mapping file (*.yaml, *.yml) in ${shown}.`, FIX]);
  throw new StartupError([
    ...loaded.errors.map(formatMappingError),
    `Cannot start: every mapping in ${shown} was rejected (${loaded.errors.length} problem${loaded.errors.length === 1 ? '' : 's'} above).`,
    `Fix: correct them (\`baton validate ${dir}\` lists them too) and start again.`,
  ]);
}
