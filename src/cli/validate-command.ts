// `baton validate [dir]`: what an admin runs in their own CI. Every error, with file:line:col; exit 1 if any.
import { loadMappingsFromDir, formatMappingError } from '../mapping/load-mappings.js';

export async function validateCommand(dir: string, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { mappings, errors } = await loadMappingsFromDir(dir, process.env);
  for (const e of errors) out.write(`${formatMappingError(e)}\n`);
  for (const m of mappings) out.write(`ok ${m.file}: mapping ${m.mapping.name} (${m.mapping.work.tasks.length} tasks)\n`);
  if (errors.length > 0) {
    out.write(`${errors.length} error(s) in ${dir}\n`);
    return 1;
  }
  if (mappings.length === 0) {
    out.write(`no mappings found in ${dir}\n`);
    return 1;
  }
  return 0;
}
