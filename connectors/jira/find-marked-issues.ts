// The retry-after-crash lookup: every issue carrying the handoff's marker label, via the enhanced search
// (POST /rest/api/3/search/jql; the old /search is gone). It pages with nextPageToken until there is none
// (there is no `total`), and asks for the links too so existing dependencies are not re-created.
import type { JiraCall } from './jira-client.js';
import { markerJql, taskIdFromLabels } from './markers.js';

export const SEARCH_FIELDS = ['labels', 'summary', 'issuetype', 'issuelinks'];
export const SEARCH_PAGE_SIZE = 100;
/** A runaway guard: a handoff has one parent and at most a few hundred tasks. */
const MAX_PAGES = 50;

export interface FoundLink {
  type: string;
  /** Key of the issue on the inward side, as Jira shows it on this issue (this issue is blocked by it). */
  inwardKey?: string;
  /** Key of the issue on the outward side (this issue blocks it). */
  outwardKey?: string;
}

export interface FoundIssue {
  id: string;
  key: string;
  /** null for the parent (no task label). */
  taskId: string | null;
  links: FoundLink[];
}

interface SearchIssue {
  id?: string;
  key?: string;
  fields?: {
    labels?: string[];
    issuelinks?: { type?: { name?: string }; inwardIssue?: { key?: string }; outwardIssue?: { key?: string } }[];
  };
}

export async function findMarkedIssues(call: JiraCall, ctx: { projectKey: string; handoffId: string; mapping: string }): Promise<FoundIssue[]> {
  const jql = markerJql(ctx.projectKey, ctx.handoffId);
  const out: FoundIssue[] = [];
  let nextPageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = (await call(
      { operation: `search ${ctx.projectKey} for the handoff's marker label`, mapping: ctx.mapping, project: ctx.projectKey, permission: 'Browse projects' },
      (c) =>
        c.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({
          jql,
          fields: SEARCH_FIELDS,
          maxResults: SEARCH_PAGE_SIZE,
          ...(nextPageToken !== undefined ? { nextPageToken } : {}),
        }),
    )) as { issues?: SearchIssue[]; nextPageToken?: string };
    for (const issue of res.issues ?? []) {
      if (!issue.id || !issue.key) continue;
      out.push({
        id: issue.id,
        key: issue.key,
        taskId: taskIdFromLabels(issue.fields?.labels ?? []),
        links: (issue.fields?.issuelinks ?? []).map((l) => ({
          type: l.type?.name ?? '',
          ...(l.inwardIssue?.key ? { inwardKey: l.inwardIssue.key } : {}),
          ...(l.outwardIssue?.key ? { outwardKey: l.outwardIssue.key } : {}),
        })),
      });
    }
    nextPageToken = res.nextPageToken;
    if (!nextPageToken) break;
  }
  // Oldest first (numeric id), so when a race ever left two, every retry picks the same one.
  return out.sort((a, b) => Number(a.id) - Number(b.id));
}

/**
 * Whether "blocker blocks blocked" already exists among found issues. Per FACTS §2 the blocked issue shows
 * the link as inwardIssue = blocker, the blocker shows it as outwardIssue = blocked.
 */
export function blocksLinkExists(found: readonly FoundIssue[], blockerKey: string, blockedKey: string): boolean {
  const isBlocks = (l: FoundLink) => l.type.toLowerCase() === 'blocks';
  for (const issue of found) {
    if (issue.key === blockedKey && issue.links.some((l) => isBlocks(l) && l.inwardKey === blockerKey)) return true;
    if (issue.key === blockerKey && issue.links.some((l) => isBlocks(l) && l.outwardKey === blockedKey)) return true;
  }
  return false;
}
