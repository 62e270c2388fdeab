// What a mapping's `work.project` means for Asana. Pure: parsed once per createWork / preflight.
//   template:<gid>  instantiate a new project from that project template (paid plans)
//   project:<gid>   a new section in that existing project holds the tasks
//   team:<gid>      a plain new project in that team (organizations require a team)
//   anything else   a plain new project in the workspace (ASANA_WORKSPACE_GID)
export type AsanaWorkTarget =
  | { kind: 'template'; templateGid: string }
  | { kind: 'section'; projectGid: string }
  | { kind: 'project'; teamGid: string | null };

const PREFIXED = /^(template|project|team):\s*(\S+)$/;

export function parseWorkTarget(project: string): AsanaWorkTarget {
  const m = PREFIXED.exec(project.trim());
  if (!m) return { kind: 'project', teamGid: null };
  const gid = m[2] ?? '';
  if (m[1] === 'template') return { kind: 'template', templateGid: gid };
  if (m[1] === 'project') return { kind: 'section', projectGid: gid };
  return { kind: 'project', teamGid: gid };
}
