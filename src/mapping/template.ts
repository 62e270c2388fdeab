// Liquid templates in mappings, sandboxed: mapping authors are admins, but the values they interpolate
// are client/rep-written, and a template must never reach the filesystem, the prototype chain, or hang
// a worker.
import { Liquid, Tag, type Template, type TagToken, type TopLevelToken } from 'liquidjs';
import type { TemplateContext } from './context.js';

/** Longest template source accepted (characters). */
export const MAX_TEMPLATE_LENGTH = 20_000;
/** Wall-clock budget for one render, ms. */
export const RENDER_TIME_LIMIT_MS = 500;
/** Tag/output renders in one render call (stops `{% for i in (1..100000000) %}`). */
export const RENDER_NODE_LIMIT = 100_000;
/** liquidjs' allocation budget for one render (string/array growth in filters). */
export const RENDER_MEMORY_LIMIT = 10_000_000;
const PARSE_CACHE_SIZE = 1_000;

export class TemplateRenderError extends Error {
  override readonly name = 'TemplateRenderError';
}

/** Tags that read other templates from disk (or from a registry): refused at parse time. */
const FORBIDDEN_TAGS = ['include', 'render', 'layout', 'block'] as const;

class ForbiddenTag extends Tag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    throw new Error(`the '${token.name}' tag is not allowed in Baton templates (templates cannot load other files)`);
  }
  *render(): Generator<unknown, void, unknown> {
    // never reached: the constructor refuses the tag
  }
}

function createEngine(): Liquid {
  const engine = new Liquid({
    // An empty in-memory template map: even if a file tag slipped through, nothing resolves to disk.
    templates: {},
    ownPropertyOnly: true,
    strictFilters: true,
    strictVariables: false,
    // Dates render in UTC so output never depends on the host's zone (date-only CRM values are UTC midnight).
    timezoneOffset: 0,
    parseLimit: MAX_TEMPLATE_LENGTH,
    renderLimit: RENDER_TIME_LIMIT_MS,
    memoryLimit: RENDER_MEMORY_LIMIT,
  });
  for (const name of FORBIDDEN_TAGS) engine.registerTag(name, ForbiddenTag);
  return engine;
}

const engine = createEngine();
const parsed = new Map<string, Template[]>();

function parseCached(template: string): Template[] {
  const hit = parsed.get(template);
  if (hit) return hit;
  if (template.length > MAX_TEMPLATE_LENGTH) {
    throw new Error(`template is ${template.length} characters; the limit is ${MAX_TEMPLATE_LENGTH}`);
  }
  const tpl = engine.parse(template);
  if (parsed.size >= PARSE_CACHE_SIZE) {
    // Map keeps insertion order: drop the oldest entry.
    const oldest = parsed.keys().next();
    if (!oldest.done) parsed.delete(oldest.value);
  }
  parsed.set(template, tpl);
  return tpl;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The syntax problem of a template (unknown filter, forbidden tag, unclosed tag...), or null when it parses. */
export function checkTemplate(template: string): string | null {
  try {
    parseCached(template);
    return null;
  } catch (e) {
    return message(e);
  }
}

/**
 * Render synchronously. Missing variables render empty; a template that fails (syntax, or a DoS limit)
 * throws TemplateRenderError. Extra top-level names (people, kickoff_due, ...) may be passed beside the context.
 */
export function renderTemplate(template: string, ctx: TemplateContext): string {
  try {
    const out: unknown = engine.renderSync(parseCached(template), ctx, { templateLimit: RENDER_NODE_LIMIT });
    return typeof out === 'string' ? out : String(out ?? '');
  } catch (e) {
    throw new TemplateRenderError(message(e), { cause: e });
  }
}

/**
 * The variable paths a template reads from its global scope, e.g. [['deal','dealname'], ['people','project_lead','name']].
 * Loop/assign locals are excluded. Throws when the template does not parse.
 */
export function templateVariables(template: string): string[][] {
  return engine
    .globalVariableSegmentsSync(parseCached(template))
    .map((segments) => {
      // A computed segment (deal[other.x]) is a nested array: keep only the static prefix.
      const path: string[] = [];
      for (const s of segments) {
        if (typeof s !== 'string' && typeof s !== 'number') break;
        path.push(String(s));
      }
      return path;
    });
}
