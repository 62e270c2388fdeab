// What a live connector would send for a step, exactly, with the ids its system assigns shown as
// <placeholders>: dry-run records it and `baton preview` prints it. Each connector folder builds its own
// requests (pure); src/runtime hands these builders to the dry-run connectors and to the preview, so neither
// reaches into a connector's folder.
import type { MilestoneWriteRequest, NoteRequest, WriteBackRequest } from './ports.js';
import type { HandoffDocument, IntroPlan, ResolvedPerson, WorkPlan } from './types.js';

export interface PlannedWorkInput {
  plan: WorkPlan;
  document: HandoffDocument;
  handoffId: string;
  mapping: string;
}

/** A work tool's create requests for a plan (parent, tasks, links), in the order they go out. */
export type PlanWorkRequests = (input: PlannedWorkInput) => unknown;

export interface PlannedIntroInput {
  intro: IntroPlan & { channel: string };
  people: Record<string, ResolvedPerson>;
  handoffId: string;
}

/** A chat tool's intro post, people named in plain text (no lookups): the API method and the body. */
export type PlanIntroRequest = (input: PlannedIntroInput) => { method: string; body: Record<string, unknown> };

/** A CRM's writes on a deal, each as the request the live writer sends. */
export interface PlanCrmWrites {
  /** The timeline note, then the deal update carrying the note's id (`noteId`: a placeholder before it exists). */
  writeBack(req: Pick<WriteBackRequest, 'handoffId' | 'dealId' | 'note' | 'status' | 'handoffUrl' | 'workUrl' | 'kickoffDue' | 'clientThreadTs'>, noteId: string): unknown[];
  /** The deal update for a milestone reached. */
  milestone(req: MilestoneWriteRequest): unknown[];
  /** One more note on the deal. */
  note(req: NoteRequest): unknown[];
}

/** Every connector's request builders, by role (built by src/runtime/request-planners.ts). */
export interface RequestPlanners {
  work: Record<'jira' | 'asana', PlanWorkRequests>;
  intro: PlanIntroRequest;
  crmWrites: PlanCrmWrites;
}
