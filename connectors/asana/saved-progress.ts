// What the create-work step records as it goes (StepProgress.saved is a flat, JSON-stored bag that later
// saves merge into), and typed reads of it. One key per external object, saved the moment it exists.
export interface SavedProject {
  gid: string;
  url: string | null;
}

export interface SavedTask {
  gid: string;
  url: string | null;
  /** The email Asana accepted as assignee; null when the task was left unassigned. */
  assignee: string | null;
  /** Why it is unassigned, repeated in CreatedWork.notes on every retry. */
  note: string | null;
}

export const KEY = {
  project: 'project',
  section: 'section',
  /** The template instantiation job, so a retry polls it instead of instantiating a second project. */
  job: 'job',
  /** The handoff document (and the Baton ref) is in the templated project's notes. */
  projectNotes: 'projectNotes',
  task: (taskId: string) => `task:${taskId}`,
  deps: (taskId: string) => `deps:${taskId}`,
} as const;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function savedProject(saved: Record<string, unknown>): SavedProject | null {
  const v = saved[KEY.project];
  if (!isObj(v)) return null;
  const gid = str(v.gid);
  return gid ? { gid, url: str(v.url) } : null;
}

export function savedGid(saved: Record<string, unknown>, key: string): string | null {
  const v = saved[key];
  if (isObj(v)) return str(v.gid);
  return str(v);
}

export function savedTask(saved: Record<string, unknown>, taskId: string): SavedTask | null {
  const v = saved[KEY.task(taskId)];
  if (!isObj(v)) return null;
  const gid = str(v.gid);
  return gid ? { gid, url: str(v.url), assignee: str(v.assignee), note: str(v.note) } : null;
}

export function savedFlag(saved: Record<string, unknown>, key: string): boolean {
  return saved[key] === true;
}
