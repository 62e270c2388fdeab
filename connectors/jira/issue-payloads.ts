// The create payloads for the parent and the tasks (pure). Untrusted text (summaries, descriptions) only
// ever lands in plain-text fields or ADF `text` nodes; the parent's description is the rendered handoff.
import { renderDocumentAdf, type AdfNode } from '../../src/handoff/render-adf.js';
import { sanitizeText, toOneLine } from '../../src/handoff/escape.js';
import type { HandoffDocument, PlannedTask, WorkPlan } from '../../src/handoff/types.js';
import { ENTITY_PROPERTY_KEY, handoffLabel, taskLabel } from './markers.js';

/** Jira's summary limit. */
export const MAX_SUMMARY = 255;
/** Headroom under Jira's 32,767-character description limit for the link paragraph and JSON. */
export const MAX_TASK_DESCRIPTION_TEXT = 30_000;

export interface IssueCreate {
  fields: Record<string, unknown>;
  properties: { key: string; value: unknown }[];
}

export function summary(text: string, fallback: string): string {
  const line = toOneLine(text) || fallback;
  return line.length > MAX_SUMMARY ? `${line.slice(0, MAX_SUMMARY - 1)}…` : line;
}

/** Labels every task shares: the mapping's work-level labels (planWork merges them into each task). */
export function sharedLabels(plan: WorkPlan): string[] {
  const [first, ...rest] = plan.tasks;
  if (!first) return [];
  return first.labels.filter((l) => rest.every((t) => t.labels.includes(l)));
}

export function parentCreate(input: {
  projectKey: string;
  issueTypeId: string;
  plan: WorkPlan;
  document: HandoffDocument;
  handoffId: string;
  mapping: string;
}): IssueCreate {
  return {
    fields: {
      project: { key: input.projectKey },
      issuetype: { id: input.issueTypeId },
      summary: summary(input.plan.parent.summary, input.document.title || 'Handoff'),
      description: renderDocumentAdf(input.document),
      labels: unique([handoffLabel(input.handoffId), ...sharedLabels(input.plan)]),
    },
    properties: [{ key: ENTITY_PROPERTY_KEY, value: { handoffId: input.handoffId, mapping: input.mapping } }],
  };
}

export function taskCreate(input: {
  projectKey: string;
  issueTypeId: string;
  task: PlannedTask;
  parent: { key: string; url: string };
  accountId: string | null;
  handoffId: string;
  mapping: string;
}): IssueCreate {
  const { task } = input;
  const fields: Record<string, unknown> = {
    // Custom fields first: Baton's own fields win if a mapping names one of them.
    ...task.fields,
    project: { key: input.projectKey },
    issuetype: { id: input.issueTypeId },
    summary: summary(task.summary, task.id),
    description: taskDescriptionAdf(task.description, input.parent),
    labels: unique([handoffLabel(input.handoffId), taskLabel(task.id), ...task.labels]),
    parent: { key: input.parent.key },
  };
  if (input.accountId !== null) fields.assignee = { accountId: input.accountId };
  if (task.dueDate !== null) fields.duedate = task.dueDate;
  return {
    fields,
    properties: [{ key: ENTITY_PROPERTY_KEY, value: { handoffId: input.handoffId, mapping: input.mapping, taskId: task.id } }],
  };
}

/** The task's description as text paragraphs, then "Handoff: <parent key>" linking back to the parent. */
export function taskDescriptionAdf(description: string | null, parent: { key: string; url: string }): AdfNode {
  const content: AdfNode[] = [];
  if (description !== null) {
    let text = sanitizeText(description);
    if (text.length > MAX_TASK_DESCRIPTION_TEXT) {
      // Never split a surrogate pair (an unpaired half is not valid JSON for Jira).
      const cut = /[\uD800-\uDBFF]/.test(text.charAt(MAX_TASK_DESCRIPTION_TEXT - 1)) ? MAX_TASK_DESCRIPTION_TEXT - 1 : MAX_TASK_DESCRIPTION_TEXT;
      text = `${text.slice(0, cut)}… (truncated)`;
    }
    for (const para of text.split(/\n[ \t]*\n\s*/)) {
      const inline: AdfNode[] = [];
      for (const line of para.split('\n')) {
        if (line === '') continue;
        if (inline.length > 0) inline.push({ type: 'hardBreak' });
        inline.push({ type: 'text', text: line });
      }
      if (inline.length > 0) content.push({ type: 'paragraph', content: inline });
    }
  }
  content.push({
    type: 'paragraph',
    content: [
      { type: 'text', text: 'Handoff: ' },
      { type: 'text', text: parent.key, marks: [{ type: 'link', attrs: { href: parent.url } }] },
    ],
  });
  return { type: 'doc', version: 1, content };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
