// The parent of a handoff's Asana work: a plain project, a project instantiated from a template, or a section
// in an existing project (see work-target.ts). Each path first uses what earlier attempts saved, then looks
// for the marker Baton left, and only then creates; every created object is saved the moment it exists.
import { PermanentError, RetryableError } from '../../src/handoff/errors.js';
import type { CreateWorkRequest } from '../../src/handoff/ports.js';
import type { AsanaClient } from './asana-client.js';
import { CONNECTOR, type AsanaErrorContext } from './classify-error.js';
import { hasRef, projectRef, withFooter } from './markers.js';
import { KEY, savedFlag, savedGid, savedProject, type SavedProject } from './saved-progress.js';
import { findBatonTasks, type FoundTask } from './task-search.js';
import type { AsanaWorkTarget } from './work-target.js';

export interface ParentContext {
  api: AsanaClient;
  req: CreateWorkRequest;
  /** The handoff document as markdown: the notes of a project Baton creates. */
  document: string;
  workspaceGid: string | undefined;
  jobPollIntervalMs: number;
  jobWaitMs: number;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

export interface Parent {
  project: SavedProject;
  /** The section holding the tasks (project:<gid> mappings), else null. */
  sectionGid: string | null;
  /** Created in this attempt: no task of this handoff can exist under it yet, so no marker search is needed. */
  fresh: boolean;
  /** Tasks of this handoff already found while locating the parent (saves a second listing). */
  found?: Map<string, FoundTask>;
}

/** A section with this name and no tasks, made this recently, is taken to be the one a crashed attempt created. */
export const ADOPT_EMPTY_SECTION_WITHIN_MS = 24 * 60 * 60 * 1000;

type AsanaRecord = Record<string, unknown>;

export async function ensureParent(ctx: ParentContext, target: AsanaWorkTarget): Promise<Parent> {
  if (target.kind === 'section') return ensureSection(ctx, target.projectGid);
  if (target.kind === 'template') return ensureTemplateProject(ctx, target.templateGid);
  return ensurePlainProject(ctx, target.teamGid);
}

function errCtx(ctx: ParentContext, operation: string): AsanaErrorContext {
  return { operation, mapping: ctx.req.mapping, target: ctx.req.plan.project };
}

const gidOf = (v: unknown): string | null => {
  const gid = typeof v === 'object' && v !== null ? (v as AsanaRecord).gid : undefined;
  return typeof gid === 'string' && gid !== '' ? gid : null;
};
const strOf = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function workspaceOrFail(ctx: ParentContext): string {
  if (ctx.workspaceGid) return ctx.workspaceGid;
  throw new PermanentError(
    `Asana mapping "${ctx.req.mapping}": work.project "${ctx.req.plan.project}" creates a new project but ASANA_WORKSPACE_GID is not set. ` +
      'Set ASANA_WORKSPACE_GID, or use "team:<gid>" / "project:<gid>" in the mapping',
    CONNECTOR,
    'ASANA_WORKSPACE_GID',
  );
}

/**
 * The project of an earlier attempt, searched page by page: its notes carry this handoff's Baton ref, or (a
 * templated project whose notes were not written yet) its name still ends with the ref.
 */
async function findMarkedProject(
  ctx: ParentContext,
  scope: { team: string } | { workspace: string },
): Promise<(SavedProject & { marked: boolean }) | null> {
  // A first attempt never created a project: paging through every project would only spend rate limit.
  if (ctx.req.progress.firstAttempt) return null;
  const ref = projectRef(ctx.req.handoffId);
  const isOurs = (p: AsanaRecord) => hasRef(p.notes, ref) || (typeof p.name === 'string' && p.name.endsWith(pendingSuffix(ctx)));
  const projects = await ctx.api.all<AsanaRecord>(
    errCtx(ctx, 'looking for the project of an earlier attempt'),
    (offset) => ctx.api.projects.getProjects({ ...scope, archived: false, limit: 100, offset, opt_fields: 'name,notes,permalink_url' }),
    isOurs,
  );
  const hit = projects.find(isOurs);
  const gid = hit ? gidOf(hit) : null;
  return hit && gid ? { gid, url: strOf(hit.permalink_url), marked: hasRef(hit.notes, ref) } : null;
}

/**
 * instantiateProject takes no notes, so until the notes are written the project's name carries the ref
 * ("ACME onboarding · Baton ref h1"); the same update that writes the notes restores the plain name.
 */
function pendingSuffix(ctx: ParentContext): string {
  return ` · ${projectRef(ctx.req.handoffId)}`;
}

function projectNotes(ctx: ParentContext): string {
  return withFooter(ctx.document, projectRef(ctx.req.handoffId));
}

async function ensurePlainProject(ctx: ParentContext, teamGid: string | null): Promise<Parent> {
  const saved = savedProject(ctx.req.progress.saved);
  if (saved) return { project: saved, sectionGid: null, fresh: false };
  const workspace = teamGid ? ctx.workspaceGid : workspaceOrFail(ctx);
  const existing = await findMarkedProject(ctx, teamGid ? { team: teamGid } : { workspace: workspace ?? '' });
  if (existing) {
    const project = { gid: existing.gid, url: existing.url };
    await ctx.req.progress.save({ [KEY.project]: project });
    return { project, sectionGid: null, fresh: false };
  }
  const name = ctx.req.plan.parent.summary;
  const res = await ctx.api.call(errCtx(ctx, `creating project "${name}"`), () =>
    ctx.api.projects.createProject(
      { data: { name, notes: projectNotes(ctx), ...(workspace ? { workspace } : {}), ...(teamGid ? { team: teamGid } : {}) } },
      { opt_fields: 'name,permalink_url' },
    ),
  );
  const project = { gid: requireGid(res.data, 'the created project'), url: strOf(res.data.permalink_url) };
  await ctx.req.progress.save({ [KEY.project]: project });
  return { project, sectionGid: null, fresh: true };
}

async function ensureTemplateProject(ctx: ParentContext, templateGid: string): Promise<Parent> {
  const { progress } = ctx.req;
  let project = savedProject(progress.saved);
  let fresh = false;
  if (!project) {
    let jobGid = savedGid(progress.saved, KEY.job);
    if (!jobGid) {
      const tmpl = await ctx.api.call(errCtx(ctx, `reading project template ${templateGid}`), () =>
        ctx.api.templates.getProjectTemplate(templateGid, { opt_fields: 'name,team,requested_dates,requested_dates.name' }),
      );
      const teamGid = gidOf(tmpl.data.team);
      const workspace = teamGid ? null : workspaceOrFail(ctx);
      const existing = await findMarkedProject(ctx, teamGid ? { team: teamGid } : { workspace: workspace ?? '' });
      if (existing) {
        project = { gid: existing.gid, url: existing.url };
        // Found by its notes footer: the document is already there. Found by its name: it is not yet.
        await progress.save({ [KEY.project]: project, ...(existing.marked ? { [KEY.projectNotes]: true } : {}) });
      } else {
        // Template date variables (start date…) are set to the day of the handoff.
        const today = ctx.now().toISOString().slice(0, 10);
        const dates: unknown[] = Array.isArray(tmpl.data.requested_dates) ? tmpl.data.requested_dates : [];
        const requested = dates.map(gidOf).filter((g): g is string => g !== null).map((gid) => ({ gid, value: today }));
        const name = ctx.req.plan.parent.summary;
        const job = await ctx.api.post(
          errCtx(ctx, `instantiating project template ${templateGid} as "${name}"`),
          '/project_templates/{project_template_gid}/instantiateProject',
          { project_template_gid: templateGid },
          { data: { name: `${name}${pendingSuffix(ctx)}`, public: true, ...(teamGid ? { team: teamGid } : { workspace }), requested_dates: requested } },
        );
        jobGid = requireGid(job.data, 'the template instantiation job');
        await progress.save({ [KEY.job]: jobGid });
      }
    }
    if (!project && jobGid) {
      project = { gid: await waitForJob(ctx, jobGid, templateGid), url: null };
      await progress.save({ [KEY.project]: project });
      fresh = true;
    }
  }
  if (!project) throw new Error('unreachable: template project neither saved, found nor instantiated');
  if (!savedFlag(progress.saved, KEY.projectNotes)) {
    // Instantiation takes no notes: the document and the Baton ref go in right after.
    const { gid, url } = project;
    const res = await ctx.api.call(errCtx(ctx, `writing the handoff document into project ${gid}`), () =>
      ctx.api.projects.updateProject({ data: { name: ctx.req.plan.parent.summary, notes: projectNotes(ctx) } }, gid, { opt_fields: 'permalink_url' }),
    );
    project = { gid, url: strOf(res.data.permalink_url) ?? url };
    await progress.save({ [KEY.project]: project, [KEY.projectNotes]: true });
  }
  return { project, sectionGid: null, fresh };
}

/** Polls GET /jobs/{gid} until the template is instantiated; hands a still-running job back to the queue. */
async function waitForJob(ctx: ParentContext, jobGid: string, templateGid: string): Promise<string> {
  const deadline = Date.now() + ctx.jobWaitMs;
  for (;;) {
    await ctx.sleep(ctx.jobPollIntervalMs);
    const res = await ctx.api.call(errCtx(ctx, `polling template job ${jobGid}`), () =>
      ctx.api.jobs.getJob(jobGid, { opt_fields: 'status,new_project,new_project.name' }),
    );
    const status = strOf(res.data.status);
    if (status === 'succeeded') return requireGid(res.data.new_project, `the project of template job ${jobGid}`);
    if (status === 'failed') {
      // Forget the failed job so that, once the template is fixed, a retry instantiates afresh.
      await ctx.req.progress.save({ [KEY.job]: null });
      throw new PermanentError(
        `Asana mapping "${ctx.req.mapping}": instantiating project template ${templateGid} failed (job ${jobGid}). ` +
          "Check the template's date variables and roles in Asana, then retry the handoff",
        CONNECTOR,
        'work.project',
      );
    }
    if (Date.now() >= deadline) {
      throw new RetryableError(`Asana template job ${jobGid} is still ${status ?? 'running'}; will poll again`, CONNECTOR, ctx.jobPollIntervalMs, { reason: 'busy' });
    }
  }
}

async function ensureSection(ctx: ParentContext, projectGid: string): Promise<Parent> {
  const { progress } = ctx.req;
  const name = ctx.req.plan.parent.summary;
  let project = savedProject(progress.saved);
  if (!project) {
    // Also proves the project exists before anything is created in it (404 → permanent, names the mapping).
    const res = await ctx.api.call(errCtx(ctx, `reading project ${projectGid}`), () =>
      ctx.api.projects.getProject(projectGid, { opt_fields: 'name,permalink_url' }),
    );
    project = { gid: projectGid, url: strOf(res.data.permalink_url) };
    await progress.save({ [KEY.project]: project });
  }
  const sectionGid = savedGid(progress.saved, KEY.section);
  if (sectionGid) return { project, sectionGid, fresh: false };

  const sections = await ctx.api.all<AsanaRecord>(errCtx(ctx, `listing the sections of project ${projectGid}`), (offset) =>
    ctx.api.sections.getSectionsForProject(projectGid, { limit: 100, offset, opt_fields: 'name,created_at' }),
  );
  const sameName = sections.filter((s) => s.name === name);
  if (sameName.length > 0) {
    // Sections carry no marker: a same-named one is ours when it holds this handoff's tasks, or when it is
    // empty and recent (a crash between creating it and saving it).
    const found = await findBatonTasks(ctx.api, errCtx(ctx, 'looking for the tasks of an earlier attempt'), projectGid, ctx.req);
    const candidates = new Set(sameName.map(gidOf));
    for (const t of found.values()) {
      if (t.sectionGid && candidates.has(t.sectionGid)) {
        await progress.save({ [KEY.section]: t.sectionGid });
        return { project, sectionGid: t.sectionGid, fresh: false, found };
      }
    }
    const recent = sameName
      .filter((s) => ctx.now().getTime() - Date.parse(String(s.created_at)) <= ADOPT_EMPTY_SECTION_WITHIN_MS)
      .sort((a, b) => Date.parse(String(b.created_at)) - Date.parse(String(a.created_at)));
    for (const s of recent) {
      const gid = gidOf(s);
      if (!gid) continue;
      const page = await ctx.api.call(errCtx(ctx, `checking section ${gid}`), () =>
        ctx.api.tasks.getTasksForSection(gid, { limit: 1, opt_fields: 'name' }),
      );
      if ((page.data ?? []).length === 0) {
        await progress.save({ [KEY.section]: gid });
        return { project, sectionGid: gid, fresh: false, found };
      }
    }
  }
  const res = await ctx.api.post(
    errCtx(ctx, `creating section "${name}" in project ${projectGid}`),
    '/projects/{project_gid}/sections',
    { project_gid: projectGid },
    { data: { name } },
    { opt_fields: 'name' },
  );
  const gid = requireGid(res.data, 'the created section');
  await progress.save({ [KEY.section]: gid });
  return { project, sectionGid: gid, fresh: true };
}

function requireGid(v: unknown, what: string): string {
  const gid = gidOf(v);
  if (!gid) throw new RetryableError(`Asana returned no gid for ${what}`, CONNECTOR);
  return gid;
}
