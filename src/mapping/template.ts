// Liquid templates in mappings, sandboxed: mapping authors are admins, but the values they interpolate
// are client/rep-written, and a template must never reach the filesystem, the prototype chain, or hang
// a worker.
import { Context, Liquid, Tag, type Template, type TagToken, type TopLevelToken } from 'liquidjs';
import type { TemplateContext } from './context.js';

// The bounds below are what liquidjs 10 enforces (parseLimit, renderLimit, memoryLimit), plus a step
// count hooked into its render-limit check (liquidjs declares a `templateLimit` render option but never
// reads it). Mapping templates are small; each bound is far above what a real mapping uses.
/** Longest template source accepted, in characters (liquidjs parseLimit, checked on every parse). */
export const MAX_TEMPLATE_LENGTH = 20_000;
/** Wall-clock budget for one render, ms (liquidjs renderLimit, checked before each tag, output and text piece). */
export const RENDER_TIME_LIMIT_MS = 1_000;
/** Tags, outputs and text pieces rendered in one render: `{% for i in (1..200000) %}` stops here. */
export const RENDER_STEP_LIMIT = 20_000;
/**
 * liquidjs' allocation budget for one render (memoryLimit): a range `(a..b)` costs b-a+1, and string and
 * array filters (append, join, split, replace, escape, sort, map, where...) cost the length they handle.
 * About 15 passes over HubSpot's longest property value (65,536 characters).
 */
export const RENDER_MEMORY_LIMIT = 1_000_000;
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
  let tpl: Template[];
  try {
    tpl = engine.parse(template);
  } catch (e) {
    if (message(e).startsWith('parse length limit exceeded')) {
      throw new Error(`template is ${template.length.toLocaleString('en')} characters; the limit is ${MAX_TEMPLATE_LENGTH.toLocaleString('en')} (parse limit)`, { cause: e });
    }
    throw e;
  }
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

const STEP_LIMIT_MESSAGE = 'template step limit exceeded';
/** liquidjs' terse limit messages, said with the limit and what to change (its ", line:…, col:…" kept). */
const LIMIT_EXPLAINED: [prefix: string, explained: string][] = [
  ['template render limit exceeded', `rendering took longer than ${RENDER_TIME_LIMIT_MS.toLocaleString('en')} ms (render time limit)`],
  [STEP_LIMIT_MESSAGE, `rendering took more than ${RENDER_STEP_LIMIT.toLocaleString('en')} steps (step limit: each tag, output and text piece is a step; is a loop too long?)`],
  ['memory alloc limit exceeded', `rendering allocated more than ${RENDER_MEMORY_LIMIT.toLocaleString('en')} characters or items (memory limit: ranges and string or array filters count)`],
];

function explain(e: unknown): string {
  const text = message(e);
  for (const [prefix, explained] of LIMIT_EXPLAINED) if (text.startsWith(prefix)) return explained + text.slice(prefix.length);
  return text;
}

/** A render context whose render-limit check (called before every tag, output and text piece) also counts steps. */
function boundedContext(scope: object): Context {
  const ctx = new Context(scope, engine.options, { sync: true }, { liquid: engine });
  const deadline = ctx.renderLimit;
  let steps = 0;
  const limiter: Pick<Context['renderLimit'], 'check' | 'use'> = {
    check(now: number) {
      if (++steps > RENDER_STEP_LIMIT) throw new Error(STEP_LIMIT_MESSAGE);
      deadline.check(now);
    },
    use: (count: number) => deadline.use(count),
  };
  ctx.renderLimit = limiter as Context['renderLimit'];
  return ctx;
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
 * Render synchronously. Missing variables render empty; a template that fails (syntax, or one of the
 * limits above) throws TemplateRenderError saying which. Extra top-level names (people, kickoff_due, ...) may be passed beside the context.
 */
export function renderTemplate(template: string, ctx: TemplateContext): string {
  try {
    const out: unknown = engine.renderSync(parseCached(template), boundedContext(ctx));
    return typeof out === 'string' ? out : String(out ?? '');
  } catch (e) {
    throw new TemplateRenderError(explain(e), { cause: e });
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
