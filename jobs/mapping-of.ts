// The loaded mapping a handoff was built with, by name: every processor that acts on a stored handoff
// looks it up here (null when the mapping was removed or no longer loads).
import type { JobDeps } from './job-deps.js';
import type { Mapping } from '../src/mapping/schema.js';

export function mappingOf(deps: Pick<JobDeps, 'mappings'>, name: string): Mapping | null {
  return deps.mappings().find((m) => m.mapping.name === name)?.mapping ?? null;
}
