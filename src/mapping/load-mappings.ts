// Read mappings/*.yaml: YAML -> env interpolation -> zod, every problem reported with file:line:column
// and the key path, all problems at once (an admin fixes a file in one pass, and `baton validate` in CI
// lists everything).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { interpolateEnv } from './interpolate-env.js';
import { MappingShape, type Mapping } from './schema.js';
import { checkMapping } from './mapping-checks.js';
import { formatPath, lineCol, locatePath, pathAtOffset, type KeyPath } from './yaml-locate.js';

export interface MappingError {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Key path of the offending value, e.g. work.tasks[2].due; "(top level)" for the document itself. */
  path: string;
  message: string;
}

export interface LoadedMapping {
  file: string;
  mapping: Mapping;
}

type Env = Record<string, string | undefined>;

/** `mappings/x.yaml:12:5: work.tasks[2].due: ...` */
export function formatMappingError(e: MappingError): string {
  return `${e.file}:${e.line}:${e.column}: ${e.path}: ${e.message}`;
}

/** The shape (schema.ts) and then the checks that need the whole mapping (mapping-checks.ts). */
const MappingSchema = MappingShape.superRefine(checkMapping);

/** Aliases expand on conversion: bound them so a "billion laughs" file cannot blow up memory. */
const MAX_ALIAS_COUNT = 100;

interface ParsedSource {
  mapping: Mapping | null;
  errors: MappingError[];
  position: (path: KeyPath) => { line: number; column: number };
}

function parseSource(file: string, text: string, env: Env): ParsedSource {
  const counter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const errors: MappingError[] = [];
  const at = (path: KeyPath, message: string, opts: { preferKey?: boolean } = {}): MappingError => {
    const { offset } = locatePath(doc, path, opts);
    return { file, ...lineCol(counter, offset), path: formatPath(path), message };
  };
  const position = (path: KeyPath) => lineCol(counter, locatePath(doc, path).offset);

  if (doc.errors.length > 0) {
    // The parser often reports two faces of one mistake at one spot: one error per spot reads better.
    const bySpot = new Map<number, string[]>();
    for (const e of doc.errors) bySpot.set(e.pos[0], [...(bySpot.get(e.pos[0]) ?? []), e.message]);
    for (const [offset, messages] of bySpot) {
      errors.push({ file, ...lineCol(counter, offset), path: formatPath(pathAtOffset(doc, text, offset)), message: `YAML: ${messages.join('; ')}` });
    }
    errors.sort((a, b) => a.line - b.line || a.column - b.column);
    return { mapping: null, errors, position };
  }
  if (doc.contents === null) {
    errors.push({ file, line: 1, column: 1, path: formatPath([]), message: 'the file is empty; a mapping needs at least name, trigger, document and work' });
    return { mapping: null, errors, position };
  }

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    errors.push({ file, line: 1, column: 1, path: formatPath([]), message: `YAML: ${e instanceof Error ? e.message : String(e)}` });
    return { mapping: null, errors, position };
  }

  const interpolated = interpolateTree(raw, [], env, (path, message) => errors.push(at(path, message)));
  const result = MappingSchema.safeParse(interpolated);
  if (!result.success) {
    for (const issue of result.error.issues) errors.push(...issueErrors(issue, doc, at));
  }
  errors.sort((a, b) => a.line - b.line || a.column - b.column);
  return { mapping: errors.length === 0 && result.success ? result.data : null, errors, position };
}

/** Env interpolation over every string value (never keys), reporting problems with their key path. */
function interpolateTree(value: unknown, path: KeyPath, env: Env, report: (path: KeyPath, message: string) => void): unknown {
  if (typeof value === 'string') {
    const { value: out, errors } = interpolateEnv(value, env);
    for (const e of errors) report(path, e);
    return out;
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateTree(v, [...path, i], env, report));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateTree(v, [...path, k], env, report);
    return out;
  }
  return value;
}

type At = (path: KeyPath, message: string, opts?: { preferKey?: boolean }) => MappingError;

function issueErrors(issue: z.core.$ZodIssue, doc: Document, at: At): MappingError[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const last = path[path.length - 1];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const noun = last === 'sections' && path.length === 2 && path[0] === 'document' ? 'section id' : 'key';
      return issue.keys.map((key) => at([...path, key], `unknown ${noun} '${key}'; ${issue.message}`, { preferKey: true }));
    }
    case 'invalid_key':
      return [at(path, `invalid key '${String(last)}': ${issue.issues.map((i) => i.message).join('; ')}`, { preferKey: true })];
    case 'invalid_type': {
      const expected = `expected ${issue.expected}`;
      if (!locatePath(doc, path).found && typeof last === 'string') return [at(path, `missing required key '${last}' (${expected})`)];
      if (issue.message.endsWith('received null')) return [at(path, `empty value; ${expected}`)];
      return [at(path, issue.message)];
    }
    default:
      return [at(path, issue.message)];
  }
}

/** Parse and validate one mapping file's text. `file` is only used in error reports. */
export function parseMapping(file: string, text: string, env: Env): { mapping: Mapping | null; errors: MappingError[] } {
  const { mapping, errors } = parseSource(file, text, env);
  return { mapping, errors };
}

/**
 * Every *.yaml / *.yml file directly in `dir`, in name order. Cross-file rule: mapping names are unique
 * (the first file keeps the name; later ones are errors and are left out).
 */
export async function loadMappingsFromDir(dir: string, env: Env): Promise<{ mappings: LoadedMapping[]; errors: MappingError[] }> {
  let names: string[];
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    names = entries
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && /\.ya?ml$/i.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return { mappings: [], errors: [{ file: dir, line: 1, column: 1, path: formatPath([]), message: `cannot read the mappings directory: ${reason}` }] };
  }

  const mappings: LoadedMapping[] = [];
  const errors: MappingError[] = [];
  const byName = new Map<string, { file: string; line: number }>();
  for (const name of names) {
    const file = join(dir, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      errors.push({ file, line: 1, column: 1, path: formatPath([]), message: `cannot read the file: ${reason}` });
      continue;
    }
    const parsed = parseSource(file, text, env);
    errors.push(...parsed.errors);
    if (!parsed.mapping) continue;
    const first = byName.get(parsed.mapping.name);
    if (first) {
      errors.push({
        file,
        ...parsed.position(['name']),
        path: 'name',
        message: `duplicate mapping name '${parsed.mapping.name}' (already used in ${first.file}:${first.line}); names must be unique across files`,
      });
      continue;
    }
    byName.set(parsed.mapping.name, { file, line: parsed.position(['name']).line });
    mappings.push({ file, mapping: parsed.mapping });
  }
  return { mappings, errors };
}
