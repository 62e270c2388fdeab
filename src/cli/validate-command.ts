// `baton validate [dir] [--live]`: what an admin runs in their own CI. Every error, with
// file:line:col; with --live also every problem against the connected systems. Exit 1 if any.
import { loadMappingsFromDir, formatMappingError } from '../mapping/load-mappings.js';
import { readConfigOrReport } from './read-config.js';
import { processEnv } from '../config/environment.js';
import { runPreflight, formatPreflightLine } from '../preflight/run-preflight.js';
import { buildPreflight } from '../runtime/build-preflight.js';

export async function validateCommand(dir: string, out: NodeJS.WritableStream = process.stdout, opts: { live?: boolean } = {}): Promise<number> {
  const { mappings, errors } = await loadMappingsFromDir(dir, processEnv());
  for (const e of errors) out.write(`${formatMappingError(e)}\n`);
  for (const m of mappings) out.write(`ok ${m.file}: mapping ${m.mapping.name} (${m.mapping.work.tasks.length} tasks${m.mapping.work.groups.length ? `, ${m.mapping.work.groups.length} per-line-item groups` : ''})\n`);
  let problems = errors.length;
  if (opts.live && mappings.length > 0) {
    const config = readConfigOrReport(out);
    if (!config) return 1;
    const lines = await runPreflight(config, mappings.map((m) => m.mapping), buildPreflight(config));
    for (const l of lines) out.write(`${formatPreflightLine(l)}\n`);
    problems += lines.filter((l) => l.status === 'problem').length;
    if (!lines.some((l) => l.status === 'problem')) out.write('live checks passed\n');
  }
  if (problems > 0) {
    out.write(`${problems} problem(s) in ${dir}\n`);
    return 1;
  }
  if (mappings.length === 0) {
    out.write(`no mappings found in ${dir}\n`);
    return 1;
  }
  return 0;
}
