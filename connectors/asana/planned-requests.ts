// The Asana requests a work plan turns into, for dry-run records and `baton preview` (pure). Gids Asana
// assigns are shown as <placeholders>; the parent request depends on what `work.project` names.
import { renderDocumentMarkdown } from '../../src/handoff/render-markdown.js';
import type { HandoffDocument, WorkPlan } from '../../src/handoff/types.js';
import { projectRef, withFooter } from './markers.js';
import { asanaTaskBody } from './task-body.js';
import { parseWorkTarget } from './work-target.js';

export interface PlannedAsanaRequest {
  method: 'POST' | 'PUT';
  path: string;
  body: { data: Record<string, unknown> };
}

export function plannedAsanaRequests(input: { plan: WorkPlan; document: HandoffDocument; handoffId: string; mapping: string; workspaceGid?: string }): PlannedAsanaRequest[] {
  const { plan, handoffId } = input;
  const target = parseWorkTarget(plan.project);
  const document = renderDocumentMarkdown(input.document);
  const notes = withFooter(document, projectRef(handoffId));
  const name = plan.parent.summary;
  const out: PlannedAsanaRequest[] = [];
  let projectGid = '<new project gid>';
  let sectionGid: string | null = null;
  if (target.kind === 'template') {
    out.push({ method: 'POST', path: `/project_templates/${target.templateGid}/instantiateProject`, body: { data: { name, public: true, requested_dates: '<each template date variable: the close date>' } } });
    out.push({ method: 'PUT', path: `/projects/${projectGid}`, body: { data: { name, notes } } });
  } else if (target.kind === 'section') {
    projectGid = target.projectGid;
    sectionGid = '<new section gid>';
    out.push({ method: 'POST', path: `/projects/${projectGid}/sections`, body: { data: { name } } });
  } else {
    out.push({ method: 'POST', path: '/projects', body: { data: { name, notes, ...(target.teamGid ? { team: target.teamGid } : { workspace: input.workspaceGid ?? '<ASANA_WORKSPACE_GID>' }) } } });
  }
  plan.tasks.forEach((task, i) => {
    const data = asanaTaskBody({ task, handoffId, mapping: input.mapping, projectGid, sectionGid, document: sectionGid && i === 0 ? document : null, assignee: task.assigneeEmail, external: true });
    out.push({ method: 'POST', path: '/tasks', body: { data } });
  });
  for (const task of plan.tasks) {
    if (task.after.length > 0) {
      out.push({ method: 'POST', path: `/tasks/<gid of ${task.id}>/addDependencies`, body: { data: { dependencies: task.after.map((a) => `<gid of ${a}>`) } } });
    }
  }
  return out;
}
