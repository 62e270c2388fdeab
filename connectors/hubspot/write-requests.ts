// The HubSpot writes Baton makes — the Baton properties on the deal and the timeline note — built in one place
// (pure): the live writer sends exactly these bodies through the SDK, and dry-run records exactly these
// requests, so what a dry run shows is what a live run sends. Reads (the note lookup on a retry) are not here:
// only writes change HubSpot.
import { PermanentError } from '../../src/handoff/errors.js';
import type { MilestoneWriteRequest, WriteBackRequest } from '../../src/handoff/ports.js';
import type { PlanCrmWrites } from '../../src/handoff/planned-request-ports.js';
import { CONNECTOR } from './classify-error.js';
import { formatNoteBody } from './note-body.js';

/** HUBSPOT_DEFINED association type "note to deal" (FACTS 1d). */
export const NOTE_TO_DEAL_ASSOCIATION_TYPE_ID = 214;

export interface HubSpotWrite<B> {
  method: 'POST' | 'PATCH';
  /** Relative to HUBSPOT_API_BASE_URL. */
  path: string;
  body: B;
}

export interface NoteCreateBody {
  properties: { hs_timestamp: string; hs_note_body: string };
  associations: { to: { id: string }; types: { associationCategory: 'HUBSPOT_DEFINED'; associationTypeId: number }[] }[];
}

export interface DealUpdateBody {
  properties: Record<string, string>;
}

/** POST /crm/v3/objects/notes: the note, its footer marker `Baton ref <marker>`, associated with the deal. */
export function noteCreateRequest(input: { dealId: string; note: string; marker: string; at: Date }): HubSpotWrite<NoteCreateBody> {
  return {
    method: 'POST',
    path: '/crm/v3/objects/notes',
    body: {
      properties: { hs_timestamp: input.at.toISOString(), hs_note_body: formatNoteBody(input.note, input.marker) },
      associations: [{ to: { id: input.dealId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: NOTE_TO_DEAL_ASSOCIATION_TYPE_ID }] }],
    },
  };
}

/** PATCH /crm/v3/objects/deals/{dealId}: Baton's properties only (never dealstage or pipeline). */
export function dealUpdateRequest(dealId: string, properties: Record<string, string>): HubSpotWrite<DealUpdateBody> {
  return { method: 'PATCH', path: `/crm/v3/objects/deals/${encodeURIComponent(dealId)}`, body: { properties } };
}

/** The write-back's deal properties; `noteId` is the timeline note's id (baton_note_id finds it again). */
export function writeBackProperties(req: Pick<WriteBackRequest, 'status' | 'handoffUrl' | 'workUrl' | 'kickoffDue' | 'clientThreadTs'>, noteId: string): Record<string, string> {
  const properties: Record<string, string> = { baton_status: req.status, baton_handoff_url: req.handoffUrl, baton_note_id: noteId };
  if (req.workUrl) properties.baton_work_url = req.workUrl;
  if (req.kickoffDue !== null) properties.baton_kickoff_due = hubspotDate(req.kickoffDue);
  if (req.clientThreadTs) properties.baton_client_thread_ts = req.clientThreadTs;
  return properties;
}

/** A milestone reached: baton_status and the milestone's date. */
export function milestoneProperties(req: Pick<MilestoneWriteRequest, 'status' | 'milestone' | 'date'>): Record<string, string> {
  return {
    baton_status: req.status,
    [req.milestone === 'kickoff' ? 'baton_kickoff_done' : 'baton_first_deliverable_done']: hubspotDate(req.date),
  };
}

/** A HubSpot date property value: midnight UTC of the day, in ms. Accepts YYYY-MM-DD (or an ISO instant's date). */
export function hubspotDate(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/.exec(day);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || !Number.isFinite(ms) || new Date(ms).getUTCDate() !== Number(m[3])) {
    throw new PermanentError(`HubSpot writeBack: kickoff due '${day}' is not a date (expected YYYY-MM-DD)`, CONNECTOR, 'baton_kickoff_due');
  }
  return String(ms);
}

/**
 * The writes as the PlanCrmWrites port names them (dry-run records, preview). Markers as the live writer sets
 * them: the write-back's note carries the handoff id, a later note its idempotency key (handoffId:purpose).
 */
export const plannedHubSpotWrites: PlanCrmWrites = {
  writeBack: (req, noteId) => [
    noteCreateRequest({ dealId: req.dealId, note: req.note, marker: req.handoffId, at: new Date() }),
    dealUpdateRequest(req.dealId, writeBackProperties(req, noteId)),
  ],
  milestone: (req) => [dealUpdateRequest(req.dealId, milestoneProperties(req))],
  note: (req) => [noteCreateRequest({ dealId: req.dealId, note: req.note, marker: req.idempotencyKey, at: new Date() })],
};
