// The `after` relation between a mapping's tasks: cycle detection (validation) and a dependency-first
// order (due-date chains).

export interface TaskNode {
  id: string;
  after: readonly string[];
}

/**
 * The first cycle found, walking tasks in mapping order, as ids from its first task back to it
 * (['a', 'b', 'a']); null when the graph is acyclic. Unknown ids in `after` are ignored here.
 */
export function findCycle(tasks: readonly TaskNode[]): string[] | null {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];

  const visit = (id: string): string[] | null => {
    const s = state.get(id);
    if (s === 'done') return null;
    if (s === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of byId.get(id)?.after ?? []) {
      if (!byId.has(dep)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return null;
  };

  for (const t of tasks) {
    const cycle = visit(t.id);
    if (cycle) return cycle;
  }
  return null;
}

/** Tasks ordered so every task comes after the tasks it waits for; mapping order otherwise. Throws on a cycle. */
export function dependencyOrder<T extends TaskNode>(tasks: readonly T[]): T[] {
  const cycle = findCycle(tasks);
  if (cycle) throw new Error(`task dependency cycle: ${cycle.join(' -> ')}`);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const placed = new Set<string>();
  const out: T[] = [];
  const place = (t: T): void => {
    if (placed.has(t.id)) return;
    placed.add(t.id);
    for (const dep of t.after) {
      const d = byId.get(dep);
      if (d) place(d);
    }
    out.push(t);
  };
  tasks.forEach(place);
  return out;
}
