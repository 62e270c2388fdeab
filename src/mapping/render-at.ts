// Rendering a mapping's template with the place it came from in the error, so a failed render tells an
// admin which mapping and key to fix (the handoff job treats it as permanent).
import type { Mapping } from './schema.js';
import { renderTemplate } from './template.js';
import type { TemplateContext } from './context.js';
import { formatPath, type KeyPath } from './yaml-locate.js';

export class MappingRenderError extends Error {
  override readonly name = 'MappingRenderError';
  constructor(
    readonly mappingName: string,
    readonly path: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`mapping ${mappingName}, ${path}: cannot render template: ${reason}`, options);
  }
}

export type RenderContext = TemplateContext & Record<string, unknown>;

export function renderAt(mapping: Mapping, path: KeyPath, template: string, ctx: TemplateContext | RenderContext): string {
  try {
    return renderTemplate(template, ctx);
  } catch (e) {
    const where = `${formatPath(path)}${describeOwner(mapping, path)}`;
    throw new MappingRenderError(mapping.name, where, e instanceof Error ? e.message : String(e), { cause: e });
  }
}

/** What the template belongs to, in the admin's words: the document field's label or the task's id. */
function describeOwner(mapping: Mapping, path: KeyPath): string {
  const [root, kind, a, b] = path;
  if (root === 'document' && kind === 'sections' && typeof a === 'string' && typeof b === 'number') {
    const label = mapping.document.sections[a as keyof typeof mapping.document.sections]?.[b]?.label;
    return label ? ` (field "${label}")` : '';
  }
  if (root === 'work' && kind === 'tasks' && typeof a === 'number') {
    const id = mapping.work.tasks[a]?.id;
    return id ? ` (task ${id})` : '';
  }
  if (root === 'work' && kind === 'groups' && typeof a === 'number' && b === 'tasks' && typeof path[4] === 'number') {
    const id = mapping.work.groups[a]?.tasks[path[4]]?.id;
    return id ? ` (task ${id}, per line item)` : '';
  }
  return '';
}
