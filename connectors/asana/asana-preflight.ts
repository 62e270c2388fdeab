// `baton validate --live` for an Asana mapping: the token, the workspace / team / project / template the mapping
// names, and the people its roles resolve to. One { problem, fix } per problem; read-only calls only.
import { PermanentError } from '../../src/handoff/errors.js';
import type { AsanaClient } from './asana-client.js';
import { describeAsanaFailure } from './classify-error.js';
import { parseWorkTarget, type AsanaWorkTarget } from './work-target.js';

export interface AsanaPreflightRequest {
  mapping: string;
  /** The mapping's work.project (template:<gid>, project:<gid>, team:<gid>, or a plain-project name). */
  project: string;
  /** A template gid named separately; wins over a template: prefix in `project`. */
  template?: string;
  /** Emails the mapping's people resolve to (assignees). */
  emails: string[];
}

export interface PreflightProblem {
  problem: string;
  fix: string;
}

export async function preflightAsana(
  api: AsanaClient,
  cfg: { workspaceGid?: string },
  req: AsanaPreflightRequest,
): Promise<PreflightProblem[]> {
  const problems: PreflightProblem[] = [];
  const m = `mapping "${req.mapping}"`;
  const ctx = (operation: string) => ({ operation, mapping: req.mapping, target: req.project });

  /** Runs one read; on failure records a problem (HTTP 404/402 get the caller's wording) and returns false. */
  const attempt = async (operation: string, fn: () => Promise<unknown>, onStatus: Partial<Record<'notFound' | 'paid', PreflightProblem>> = {}): Promise<boolean> => {
    try {
      await api.call(ctx(operation), fn);
      return true;
    } catch (err) {
      const status = err instanceof PermanentError ? statusOf(err) : undefined;
      const known = status === 404 ? onStatus.notFound : status === 402 ? onStatus.paid : undefined;
      if (known) problems.push(known);
      else if (err instanceof PermanentError) problems.push({ problem: `${m}: ${err.message}`, fix: fixFor(err) });
      else problems.push({ problem: `${m}: could not reach Asana while ${operation}: ${(err as Error).message}`, fix: 'Check ASANA_BASE_URL and the network, then run `baton validate --live` again' });
      return false;
    }
  };

  // Without a working token every other check would report the same failure.
  if (!(await attempt('checking the access token', () => api.users.getUser('me', { opt_fields: 'name' })))) return problems;

  const target: AsanaWorkTarget = req.template ? { kind: 'template', templateGid: req.template } : parseWorkTarget(req.project);
  const needsWorkspace = (target.kind === 'project' && target.teamGid === null) || target.kind === 'template';
  if (target.kind === 'project' && target.teamGid === null && !cfg.workspaceGid) {
    problems.push({
      problem: `${m}: work.project "${req.project}" creates a plain project in the workspace, but ASANA_WORKSPACE_GID is not set`,
      fix: 'Set ASANA_WORKSPACE_GID to the workspace gid (GET /workspaces lists them), or use "team:<gid>" or "project:<gid>" in work.project',
    });
  } else if (needsWorkspace && cfg.workspaceGid) {
    await attempt(`reading workspace ${cfg.workspaceGid}`, () => api.workspaces.getWorkspace(cfg.workspaceGid ?? '', { opt_fields: 'name' }), {
      notFound: { problem: `${m}: ASANA_WORKSPACE_GID ${cfg.workspaceGid} is not a workspace this token can see`, fix: 'Set ASANA_WORKSPACE_GID to a workspace gid the token\'s user belongs to' },
    });
  }

  if (target.kind === 'project' && target.teamGid) {
    await attempt(`reading team ${target.teamGid}`, () => api.teams.getTeam(target.teamGid ?? '', { opt_fields: 'name' }), {
      notFound: { problem: `${m}: team ${target.teamGid} (work.project "${req.project}") was not found`, fix: 'Use the gid of a team the token\'s user is a member of in "team:<gid>"' },
    });
  } else if (target.kind === 'section') {
    await attempt(`reading project ${target.projectGid}`, () => api.projects.getProject(target.projectGid, { opt_fields: 'name' }), {
      notFound: {
        problem: `${m}: project ${target.projectGid} (work.project "${req.project}") was not found`,
        fix: 'Put the gid of an existing project the token\'s user can see in "project:<gid>" (it is in the project\'s URL)',
      },
    });
  } else if (target.kind === 'template') {
    await attempt(`reading project template ${target.templateGid}`, () => api.templates.getProjectTemplate(target.templateGid, { opt_fields: 'name,team,requested_dates' }), {
      notFound: {
        problem: `${m}: project template ${target.templateGid} was not found`,
        fix: 'Put the gid of a project template the token\'s user can see in "template:<gid>", or use "project:<gid>" / a plain project',
      },
      paid: {
        problem: `${m}: project templates need a paid Asana plan (Asana answered 402 for template ${target.templateGid})`,
        fix: 'Upgrade the Asana workspace, or change work.project to "project:<gid>" or a plain project',
      },
    });
  }

  for (const email of [...new Set(req.emails.filter((e) => e.trim() !== ''))]) {
    await attempt(`looking up ${email}`, () => api.users.getUser(email, { ...(cfg.workspaceGid ? { workspace: cfg.workspaceGid } : {}), opt_fields: 'name,email' }), {
      notFound: {
        problem: `${m}: no Asana user for ${email}; their tasks would be left unassigned`,
        fix: `Invite ${email} to the Asana workspace, or change the mapping's people so the role resolves to an Asana user`,
      },
    });
  }
  return problems;
}

/** The HTTP status behind a classified error (its cause is the SDK's error). */
function statusOf(err: PermanentError): number | undefined {
  return describeAsanaFailure(err.cause).status;
}

function fixFor(err: PermanentError): string {
  if (err.field === 'ASANA_ACCESS_TOKEN') return 'Set ASANA_ACCESS_TOKEN to a valid personal access token or OAuth token';
  const sentence = err.message.split('. ').slice(1).join('. ');
  return sentence || 'Fix the mapping or the Asana setting named above, then run `baton validate --live` again';
}
