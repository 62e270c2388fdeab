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
    throw new MappingRenderError(mapping.name, formatPath(path), e instanceof Error ? e.message : String(e), { cause: e });
  }
}
