// Write-back to HubSpot (live): the Baton status properties on the deal and one timeline note per handoff.
// Exactly one note under retries and crashes: the note is found again, in this order, by
//   1. progress.saved.noteId (the step recorded it right after creating it),
//   2. the deal's baton_note_id property (written in the same PATCH as the status, after the note exists),
//   3. the footer "Baton ref <handoffId>" on the deal's associated notes (crash between create and record).
// Never writes dealstage or pipeline: Baton reports on the deal, the rep owns its stage. The bodies it sends
// come from write-requests.ts, which dry-run records too.
import type pino from 'pino';
import type { CircuitBreaker } from '../common/circuit-breaker.js';
import type { RateLimiter } from '../common/rate-limiter.js';
import { PermanentError } from '../../src/handoff/errors.js';
import type { CrmWriter, MilestoneWriteRequest, NoteRequest, WriteBackRequest } from '../../src/handoff/ports.js';
import { BATON_PROPERTY_NAMES } from './baton-properties.js';
import { CONNECTOR } from './classify-error.js';
import { createHubSpotSdk, type HubSpotSdk } from './hubspot-sdk.js';
import { hasNoteMarker } from './note-body.js';
import { scopeOf } from './required-scopes.js';
import { dealUpdateRequest, hubspotDate, milestoneProperties, noteCreateRequest, writeBackProperties } from './write-requests.js';

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

/** Notes read per batch call (HubSpot's batch maximum). */
const NOTE_BATCH_READ = 100;
/** v4 association pages hold up to 500 ids. */
const ASSOCIATION_PAGE = 500;

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
    if (req.kickoffDue !== null) hubspotDate(req.kickoffDue);
    const noteId = (await this.findNote(req)) ?? (await this.createNote(req));
    // A PATCH of the same values is harmless, so a retry simply repeats it.
    await this.updateDeal(`writeBack(deal ${req.dealId}) properties`, req.dealId, writeBackProperties(req, noteId));
    return { noteId };
  }

  /** Kickoff / first deliverable done: baton_status and the milestone's date. A repeated PATCH is harmless. */
  async writeMilestone(req: MilestoneWriteRequest): Promise<void> {
    await this.updateDeal(`writeMilestone(deal ${req.dealId}) ${req.milestone}`, req.dealId, milestoneProperties(req));
  }

  /** The deal PATCH as write-requests.ts builds it (the SDK's basicApi.update sends PATCH /crm/v3/objects/deals/{id}). */
  private async updateDeal(op: string, dealId: string, properties: Record<string, string>): Promise<void> {
    const { body } = dealUpdateRequest(dealId, properties);
    try {
      await this.sdk.send(op, scopeOf('PATCH', '/crm/v3/objects/deals/{dealId}'), (call) => this.sdk.client.crm.deals.basicApi.update(dealId, body, undefined, call));
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
    const deal = await this.sdk.sendOr404(op, scopeOf('GET', '/crm/v3/objects/deals/{dealId}'), (call) =>
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
      const res = await this.sdk.send(op, scopeOf('POST', '/crm/v3/objects/notes/batch/read'), (call) =>
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
      const page = await this.sdk.send(op, scopeOf('GET', '/crm/v4/objects/deals/{dealId}/associations/notes'), (call) =>
        this.sdk.client.crm.associations.v4.basicApi.getPage('deals', dealId, 'notes', after, ASSOCIATION_PAGE, call),
      );
      for (const r of page.results) ids.push(String(r.toObjectId));
      after = page.paging?.next?.after;
    } while (after !== undefined);
    return [...new Set(ids)];
  }

  private async createNote(req: WriteBackRequest): Promise<string> {
    const write = noteCreateRequest({ dealId: req.dealId, note: req.note, marker: req.handoffId, at: new Date() });
    const note = await this.sdk.send(`writeBack(deal ${req.dealId}) create note`, scopeOf('POST', '/crm/v3/objects/notes'), (call) =>
      this.sdk.client.crm.objects.notes.basicApi.create(write.body as never, call),
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
