// Every Liquid template in a mapping with its key path: one list for validation (variables, roles) and
// for working out which CRM properties the mappings read.
import type { MappingShapeOutput } from './schema.js';

export type KeyPath = (string | number)[];

export interface TemplateLocation {
  path: KeyPath;
  template: string;
  /** The Slack intro message also sees `kickoff_due`; templates of line-item groups see `item`. */
  kind: 'message' | 'text' | 'item';
}

function jsonStrings(value: unknown, path: KeyPath, out: TemplateLocation[]): void {
  if (typeof value === 'string') out.push({ path, template: value, kind: 'text' });
  else if (Array.isArray(value)) value.forEach((v, i) => jsonStrings(v, [...path, i], out));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) jsonStrings(v, [...path, k], out);
  }
}

export function templatesOf(m: MappingShapeOutput): TemplateLocation[] {
  const out: TemplateLocation[] = [];
  const text = (path: KeyPath, template: string | undefined) => {
    if (template !== undefined) out.push({ path, template, kind: 'text' });
  };
  for (const [role, person] of Object.entries(m.people)) text(['people', role, 'name'], person.name);
  text(['document', 'title'], m.document.title);
  for (const [section, items] of Object.entries(m.document.sections)) {
    (items ?? []).forEach((item, i) => text(['document', 'sections', section, i, 'value'], item.value));
  }
  text(['work', 'parent', 'summary'], m.work.parent.summary);
  m.work.tasks.forEach((task, i) => {
    text(['work', 'tasks', i, 'summary'], task.summary);
    text(['work', 'tasks', i, 'description'], task.description);
    jsonStrings(task.fields, ['work', 'tasks', i, 'fields'], out);
  });
  m.work.groups.forEach((group, g) => {
    group.tasks.forEach((task, i) => {
      out.push({ path: ['work', 'groups', g, 'tasks', i, 'summary'], template: task.summary, kind: 'item' });
      if (task.description !== undefined) out.push({ path: ['work', 'groups', g, 'tasks', i, 'description'], template: task.description, kind: 'item' });
      const fields: TemplateLocation[] = [];
      jsonStrings(task.fields, ['work', 'groups', g, 'tasks', i, 'fields'], fields);
      out.push(...fields.map((f) => ({ ...f, kind: 'item' as const })));
    });
  });
  if (m.thread) {
    text(['thread', 'channel'], m.thread.channel);
    text(['thread', 'thread_ts'], m.thread.thread_ts);
    out.push({ path: ['thread', 'message'], template: m.thread.message, kind: 'message' });
  }
  return out;
}

/** Field paths (deal.x, owner.email, ...) read outside templates, with their key paths: trigger and escalation conditions, people, document fields. */
export function fieldPathsOf(m: MappingShapeOutput): { path: KeyPath; field: string }[] {
  const out: { path: KeyPath; field: string }[] = [];
  m.trigger.when.forEach((c, i) => out.push({ path: ['trigger', 'when', i, 'field'], field: c.field }));
  m.escalations.forEach((e, i) => {
    if (typeof e.unless === 'object') out.push({ path: ['escalations', i, 'unless', 'field'], field: e.unless.field });
  });
  for (const [role, person] of Object.entries(m.people)) {
    if (person.from) out.push({ path: ['people', role, 'from'], field: person.from });
  }
  for (const [section, items] of Object.entries(m.document.sections)) {
    (items ?? []).forEach((item, i) => {
      if (item.field) out.push({ path: ['document', 'sections', section, i, 'field'], field: item.field });
    });
  }
  return out;
}
