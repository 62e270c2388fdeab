// Which issue types Baton uses in a project. GET /rest/api/3/project/{key} says how the project is run in
// `style`: "classic" = company-managed, "next-gen" = team-managed (older sites only set `simplified`:
// true = team-managed). Company-managed: the parent is the issue type named "Epic" (falling back to the
// level-1 type if an admin renamed it). Team-managed: each project has its own types, so the parent is the
// project's type with hierarchyLevel 1 (usually "Epic"). Tasks are "Task" in both; children attach
// through the `parent` field in both styles (Epic Link is deprecated, FACTS §2).

export interface JiraIssueType {
  id: string;
  name: string;
  /** 1 = epic level, 0 = standard, -1 = sub-task. */
  hierarchyLevel?: number;
  subtask?: boolean;
}

export interface JiraProjectInfo {
  id: string;
  key: string;
  style: 'company-managed' | 'team-managed';
  issueTypes: JiraIssueType[];
}

export interface ResolvedIssueTypes {
  parent: JiraIssueType;
  task: JiraIssueType;
}

export const DEFAULT_PARENT_TYPE = 'Epic';
export const DEFAULT_TASK_TYPE = 'Task';

/** Reads the project style from a GET project answer. */
export function projectStyle(project: { style?: string; simplified?: boolean }): JiraProjectInfo['style'] {
  if (project.style === 'next-gen') return 'team-managed';
  if (project.style === 'classic') return 'company-managed';
  return project.simplified === true ? 'team-managed' : 'company-managed';
}

const sameName = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

/**
 * The parent and task issue types for a project, or a list of what is missing. Explicit names (from
 * preflight) win; otherwise the defaults described above.
 */
export function resolveIssueTypes(
  project: JiraProjectInfo,
  wanted: { parent?: string; task?: string } = {},
): { ok: true; types: ResolvedIssueTypes } | { ok: false; missing: { role: 'parent' | 'task'; name: string }[] } {
  const types = project.issueTypes;
  const byName = (name: string) => types.find((t) => sameName(t.name, name));
  const epicLevel = types.filter((t) => t.hierarchyLevel === 1);

  let parent: JiraIssueType | undefined;
  if (wanted.parent !== undefined) parent = byName(wanted.parent);
  else if (project.style === 'company-managed') parent = byName(DEFAULT_PARENT_TYPE) ?? epicLevel[0];
  else parent = epicLevel.find((t) => sameName(t.name, DEFAULT_PARENT_TYPE)) ?? epicLevel[0] ?? byName(DEFAULT_PARENT_TYPE);

  const taskName = wanted.task ?? DEFAULT_TASK_TYPE;
  const task = types.find((t) => sameName(t.name, taskName) && t.subtask !== true && (t.hierarchyLevel ?? 0) === 0) ?? byName(taskName);

  const missing: { role: 'parent' | 'task'; name: string }[] = [];
  if (!parent) missing.push({ role: 'parent', name: wanted.parent ?? DEFAULT_PARENT_TYPE });
  if (!task) missing.push({ role: 'task', name: taskName });
  if (!parent || !task) return { ok: false, missing };
  return { ok: true, types: { parent, task } };
}
