// The marks Baton leaves on what it creates in Asana, so a retry after a crash finds the object instead of
// creating a second one. Tasks carry two: `external.gid` (the API's own idempotency handle, but only visible
// to OAuth apps) and a notes footer line (visible to any token, personal access tokens included). Projects
// have no external gid, so their notes end with the footer line. Sections have only a name (see asana-work-tool).

/** Task external gid: one per (handoff, planned task). Asana caps it at 1,024 characters. */
export function taskExternalGid(handoffId: string, taskId: string): string {
  return `baton-${handoffId}-${taskId}`;
}

export function projectRef(handoffId: string): string {
  return `Baton ref ${handoffId}`;
}

export function taskRef(handoffId: string, taskId: string): string {
  return `Baton ref ${handoffId}/${taskId}`;
}

/** Notes text followed by the marker on its own last line. */
export function withFooter(text: string, ref: string): string {
  const body = text.trimEnd();
  return body === '' ? ref : `${body}\n\n---\n${ref}`;
}

/** True when one line of `notes` is exactly `ref` (so "Baton ref h1" never matches "Baton ref h10"). */
export function hasRef(notes: unknown, ref: string): boolean {
  return typeof notes === 'string' && notes.split('\n').some((line) => line.trim() === ref);
}
