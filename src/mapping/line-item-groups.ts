// Tasks generated per line item (work.groups): which line items a group matches, and the concrete task list —
// top-level tasks plus one copy of each group's tasks per matching line item, with stable ids and `after`
// resolved. Pure; plan-work.ts plans the result like any task list.
import type { LineItemWhere, Mapping, TaskSpec } from './schema.js';
import type { KeyPath } from './yaml-locate.js';

export interface ConcreteTask {
  spec: TaskSpec;
  /** The mapping's id, or `<id>--li-<line item id>` for a generated copy (stable while the line item exists). */
  id: string;
  after: string[];
  /** Where the spec sits in the mapping (for render errors). */
  path: KeyPath;
  /** The line item (template context) a generated copy was made for; null for top-level tasks. */
  item: Record<string, unknown> | null;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** SKU patterns: `*` is any run of characters, the rest literal, case-insensitive. */
export function skuMatches(pattern: string, sku: unknown): boolean {
  if (typeof sku !== 'string' || sku === '') return false;
  return new RegExp(`^${pattern.split('*').map(escapeRegex).join('.*')}$`, 'i').test(sku);
}

export function groupMatches(where: LineItemWhere, item: Record<string, unknown>): boolean {
  if (where.sku !== undefined && !skuMatches(where.sku, item.sku)) return false;
  if (where.product) {
    const product = item.product as Record<string, unknown> | null;
    for (const [name, value] of Object.entries(where.product)) {
      const actual = product?.[name];
      if (actual === null || actual === undefined || String(actual).trim().toLowerCase() !== value.trim().toLowerCase()) return false;
    }
  }
  return true;
}

export const generatedTaskId = (taskId: string, item: Record<string, unknown>): string =>
  `${taskId}--li-${String(item.id).toLowerCase().replace(/[^a-z0-9_-]/g, '-')}`;

export function concreteTasks(work: Mapping['work'], lineItems: readonly Record<string, unknown>[]): ConcreteTask[] {
  // Every generated id per group task id, so `after: [training]` from outside waits for all of them.
  const instances = new Map<string, string[]>();
  const groupOf = new Map<string, number>();
  const generated: ConcreteTask[] = [];
  work.groups.forEach((group, g) => {
    for (const t of group.tasks) {
      groupOf.set(t.id, g);
      instances.set(t.id, []);
    }
    const siblings = new Set(group.tasks.map((t) => t.id));
    for (const item of lineItems.filter((li) => groupMatches(group.where, li))) {
      group.tasks.forEach((spec, i) => {
        const id = generatedTaskId(spec.id, item);
        instances.get(spec.id)!.push(id);
        generated.push({ spec, id, after: spec.after, path: ['work', 'groups', g, 'tasks', i], item });
      });
      // Siblings resolve to the same line item's copy once all of this item's ids exist.
      for (const task of generated.slice(-group.tasks.length)) {
        task.after = task.spec.after.map((dep) => (siblings.has(dep) ? [generatedTaskId(dep, item)] : [dep])).flat();
      }
    }
  });
  const resolve = (deps: string[]): string[] => deps.flatMap((dep) => (groupOf.has(dep) ? (instances.get(dep) ?? []) : [dep]));
  const top: ConcreteTask[] = work.tasks.map((spec, i) => ({ spec, id: spec.id, after: resolve(spec.after), path: ['work', 'tasks', i], item: null }));
  for (const t of generated) t.after = resolve(t.after);
  return [...top, ...generated];
}
