// Write-back to HubSpot (live): the Baton status properties on the deal and one timeline note per handoff.
// Exactly one note under retries and crashes: the note is found again, in this order, by
//   1. progress.saved.noteId (the step recorded it right after creating it),
//   2. the deal's baton_note_id property (written in the same PATCH as the status, after the note exists),
//   3. the footer "Baton ref <handoffId>" on the deal's associated notes (crash between create and record).
// Never writes dealstage or pipeline: Baton reports on the deal, the rep owns its stage.
import type pino from 'pino';
import type { CircuitBreaker } from '../common/circuit-breaker.js';
import type { RateLimiter } from '../common/rate-limiter.js';
import { PermanentError } from '../errors.js';
import type { CrmWriter, MilestoneWriteRequest, NoteRequest, WriteBackRequest } from '../types.js';
import { BATON_PROPERTY_NAMES } from './baton-properties.js';
import { CONNECTOR } from './classify-error.js';
import { createHubSpotSdk, type HubSpotSdk } from './hubspot-sdk.js';
import { formatNoteBody, hasNoteMarker } from './note-body.js';

export interface HubSpotWriterOptions {
  accessToken: string;
  basePath: string;
  portalId?: string;
  limiter: RateLimiter;
  requestsPerSecond: number;
  timeoutMs: number;
  logger?: pino.Logger;
  /** Shared circuit breaker (connectors/common/circuit-breaker.ts); none when absent. */
  breaker?: CircuitBreaker;
}

/** HUBSPOT_DEFINED association type "note to deal" (FACTS 1d). */
export const NOTE_TO_DEAL_ASSOCIATION_TYPE_ID = 214;
/** Notes read per batch call (HubSpot's batch maximum). */
const NOTE_BATCH_READ = 100;
/** v4 association pages hold up to 500 ids. */
const ASSOCIATION_PAGE = 500;

const WRITE_SCOPES = ['crm.objects.deals.read', 'crm.objects.deals.write'];

export function createHubSpotWriter(opts: HubSpotWriterOptions): CrmWriter {
  return new LiveHubSpotWriter(opts);
}

interface SdkObject {
  id: string;
  properties: Record<string, string | null | undefined>;
  associations?: Record<string, { results?: Array<{ id: string; type: string }>; paging?: { next?: { after?: string } } }>;
}

class LiveHubSpotWriter implements CrmWriter {
  readonly crm = 'hubspot';
  readonly mode = 'live' as const;
  private readonly sdk: HubSpotSdk;

  constructor(private readonly opts: HubSpotWriterOptions) {
    this.sdk = createHubSpotSdk(opts);
  }

  async writeBack(req: WriteBackRequest): Promise<{ noteId: string | null }> {
    // Checked before any call: a bad date is Baton's bug and would fail identically on every retry.
    const kickoffDue = req.kickoffDue === null ? null : hubspotDate(req.kickoffDue);
    const noteId = (await this.findNote(req)) ?? (await this.createNote(req));

    const properties: Record<string, string> = {
      baton_status: req.status,
      baton_handoff_url: req.handoffUrl,
      baton_note_id: noteId,
    };
    if (req.workUrl) properties.baton_work_url = req.workUrl;
    if (kickoffDue !== null) properties.baton_kickoff_due = kickoffDue;
    if (req.clientThreadTs) properties.baton_client_thread_ts = req.clientThreadTs;
    // A PATCH of the same values is harmless, so a retry simply repeats it.
    try {
      await this.sdk.send(`writeBack(deal ${req.dealId}) properties`, WRITE_SCOPES, (call) =>
        this.sdk.client.crm.deals.basicApi.update(req.dealId, { properties }, undefined, call),
      );
    } catch (e) {
      throw withSetupHint(e);
    }
    return { noteId };
  }

  /** Kickoff / first deliverable done: baton_status and the milestone's date. A repeated PATCH is harmless. */
  async writeMilestone(req: MilestoneWriteRequest): Promise<void> {
    const properties: Record<string, string> = {
      baton_status: req.status,
      [req.milestone === 'kickoff' ? 'baton_kickoff_done' : 'baton_first_deliverable_done']: hubspotDate(req.date),
    };
    try {
      await this.sdk.send(`writeMilestone(deal ${req.dealId}) ${req.milestone}`, WRITE_SCOPES, (call) =>
        this.sdk.client.crm.deals.basicApi.update(req.dealId, { properties }, undefined, call),
      );
    } catch (e) {
      throw withSetupHint(e);
    }
  }

  /**
   * One more note on the deal (e.g. the delivery feedback), found again by its footer "Baton ref <key>"
   * before creating, so a retry never adds a second.
   */
  async addNote(req: NoteRequest): Promise<{ noteId: string | null }> {
    // The note machinery keys on handoffId; the idempotency key (handoffId:purpose) keeps this note apart
    // from the write-back note (whose marker must not be followed by ':').
    const asNote = {
      handoffId: req.idempotencyKey,
      dealId: req.dealId,
      note: req.note,
      progress: { saved: {}, save: async () => undefined },
    } as unknown as WriteBackRequest;
    const noteId = (await this.findNote(asNote)) ?? (await this.createNote(asNote));
    return { noteId };
  }

  private async findNote(req: WriteBackRequest): Promise<string | null> {
    const saved = req.progress.saved.noteId;
    if (typeof saved === 'string' && saved !== '') return saved;
    // No earlier attempt ever called out: there is no note to find, and the read would cost a rate-limited call.
    if (req.progress.firstAttempt) return null;

    const op = `writeBack(deal ${req.dealId}) find note`;
    // One read gives both the recorded note id and the associated notes.
    const deal = await this.sdk.sendOr404(op, WRITE_SCOPES, (call) =>
      this.sdk.client.crm.deals.basicApi.getById(req.dealId, ['baton_note_id'], undefined, ['notes'], false, undefined, call),
    );
    if (deal === undefined) {
      throw new PermanentError(
        `HubSpot writeBack: deal ${req.dealId} does not exist any more (deleted or merged); nothing to write back. ` +
          `Replay the handoff from the merged deal if the work should stay linked`,
        CONNECTOR,
      );
    }
    const d = deal as unknown as SdkObject;
    const assoc = d.associations?.notes;
    let ids = [...new Set((assoc?.results ?? []).map((r) => r.id))];
    if (assoc?.paging?.next?.after !== undefined) ids = await this.listAssociatedNoteIds(req.dealId, op);
    if (ids.length === 0) return null;

    // The recorded id first (it may belong to an earlier handoff of the same deal, so it is checked too), then
    // the newest notes: Baton's is usually among the last.
    const recorded = d.properties.baton_note_id ?? '';
    const ordered = [...ids.filter((id) => id === recorded), ...ids.filter((id) => id !== recorded).reverse()];
    for (let i = 0; i < ordered.length; i += NOTE_BATCH_READ) {
      const inputs = ordered.slice(i, i + NOTE_BATCH_READ).map((id) => ({ id }));
      const res = await this.sdk.send(op, ['crm.objects.deals.read'], (call) =>
        this.sdk.client.crm.objects.notes.batchApi.read({ inputs, properties: ['hs_note_body'], propertiesWithHistory: [] }, false, call),
      );
      const hit = (res.results as SdkObject[]).find((n) => hasNoteMarker(n.properties.hs_note_body, req.handoffId));
      if (hit) {
        this.opts.logger?.info({ dealId: req.dealId, noteId: hit.id }, 'HubSpot note of an earlier attempt found; not creating another');
        await req.progress.save({ noteId: hit.id });
        return hit.id;
      }
    }
    return null;
  }

  /** Every note id associated with the deal, through the v4 associations API (paged). */
  private async listAssociatedNoteIds(dealId: string, op: string): Promise<string[]> {
    const ids: string[] = [];
    let after: string | undefined;
    do {
      const page = await this.sdk.send(op, ['crm.objects.deals.read'], (call) =>
        this.sdk.client.crm.associations.v4.basicApi.getPage('deals', dealId, 'notes', after, ASSOCIATION_PAGE, call),
      );
      for (const r of page.results) ids.push(String(r.toObjectId));
      after = page.paging?.next?.after;
    } while (after !== undefined);
    return [...new Set(ids)];
  }

  private async createNote(req: WriteBackRequest): Promise<string> {
    const note = await this.sdk.send(`writeBack(deal ${req.dealId}) create note`, WRITE_SCOPES, (call) =>
      this.sdk.client.crm.objects.notes.basicApi.create(
        {
          properties: { hs_timestamp: new Date().toISOString(), hs_note_body: formatNoteBody(req.note, req.handoffId) },
          associations: [
            {
              to: { id: req.dealId },
              types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: NOTE_TO_DEAL_ASSOCIATION_TYPE_ID }],
            },
          ],
        } as never,
        call,
      ),
    );
    // Recorded before anything else can fail: a crash from here on finds the note without a search.
    await req.progress.save({ noteId: note.id });
    return note.id;
  }
}

/** A missing Baton property means the portal was never set up: say how to fix it. */
function withSetupHint(e: unknown): unknown {
  if (!(e instanceof PermanentError) || !e.field || !BATON_PROPERTY_NAMES.has(e.field)) return e;
  if (!/PROPERTY_DOESNT_EXIST|does not exist/.test(e.message)) return e;
  return new PermanentError(
    `${e.message}. Run \`baton hubspot setup\` to create the Baton handoff deal properties, then replay the handoff`,
    CONNECTOR,
    e.field,
    { cause: e },
  );
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
