// Project metadata (style + issue types) from GET /rest/api/3/project/{key}, cached per project: every
// handoff of a mapping needs the same answer, and it changes only when an admin edits the project.
import type { JiraCall } from './jira-client.js';
import { projectStyle, type JiraIssueType, type JiraProjectInfo } from './project-style.js';

export const DEFAULT_PROJECT_CACHE_MS = 10 * 60 * 1000;

export interface ProjectDirectory {
  get(projectKey: string, mapping?: string): Promise<JiraProjectInfo>;
}

interface ProjectAnswer {
  id?: string;
  key?: string;
  style?: string;
  simplified?: boolean;
  issueTypes?: { id?: string; name?: string; hierarchyLevel?: number; subtask?: boolean }[];
}

export function notFoundMessage(projectKey: string): string {
  return (
    `Jira project ${projectKey} not found or not visible to JIRA_EMAIL: check work.project in the mapping, ` +
    `and give the JIRA_EMAIL user the "Browse projects" permission in it`
  );
}

export function createProjectDirectory(call: JiraCall, ttlMs = DEFAULT_PROJECT_CACHE_MS, now: () => number = Date.now): ProjectDirectory {
  const cache = new Map<string, { value: Promise<JiraProjectInfo>; expiresAt: number }>();
  return {
    get(projectKey, mapping) {
      const hit = cache.get(projectKey);
      if (hit && hit.expiresAt > now()) return hit.value;
      const value = call(
        {
          operation: `read project ${projectKey}`,
          ...(mapping !== undefined ? { mapping } : {}),
          project: projectKey,
          permission: 'Browse projects',
          notFound: notFoundMessage(projectKey),
        },
        (c) => c.projects.getProject({ projectIdOrKey: encodeURIComponent(projectKey), expand: 'issueTypes' }),
      ).then((p) => toInfo(p as ProjectAnswer, projectKey));
      cache.set(projectKey, { value, expiresAt: now() + ttlMs });
      value.catch(() => {
        if (cache.get(projectKey)?.value === value) cache.delete(projectKey);
      });
      return value;
    },
  };
}

function toInfo(p: ProjectAnswer, projectKey: string): JiraProjectInfo {
  const issueTypes: JiraIssueType[] = (p.issueTypes ?? []).flatMap((t) =>
    t.id && t.name
      ? [{ id: t.id, name: t.name, ...(t.hierarchyLevel !== undefined ? { hierarchyLevel: t.hierarchyLevel } : {}), ...(t.subtask !== undefined ? { subtask: t.subtask } : {}) }]
      : [],
  );
  return { id: p.id ?? '', key: p.key ?? projectKey, style: projectStyle(p), issueTypes };
}
