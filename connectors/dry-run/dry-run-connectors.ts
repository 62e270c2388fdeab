// Connectors without credentials record what they would have sent instead of calling out. The record
// is keyed by the same idempotency key a live connector uses as its marker, so a retried step finds
// its earlier record exactly as a live one finds its Jira label or Slack metadata. What a record holds is
// what the live connector would send, built by that connector's own planner (src/handoff/planned-request-ports.ts),
// which src/runtime passes in.
import type {
  ChannelMessageRequest,
  ChatConnector,
  CreatedWork,
  CreateWorkRequest,
  CrmWriter,
  DirectMessageRequest,
  DryRunSink,
  MilestoneWriteRequest,
  NoteRequest,
  PostedMessage,
  PostIntroRequest,
  TaskState,
  WorkToolConnector,
  WriteBackRequest,
} from '../../src/handoff/ports.js';
import type { PlanCrmWrites, PlanIntroRequest, PlanWorkRequests } from '../../src/handoff/planned-request-ports.js';

/** Deterministic fake ids so a retried step returns what the first attempt returned. */
const fakeId = (key: string, suffix: string) => `dry-${Buffer.from(key).toString('base64url').slice(-10)}-${suffix}`;

export function createDryRunWorkTool(tool: 'jira' | 'asana', sink: DryRunSink, planRequests: PlanWorkRequests): WorkToolConnector {
  return {
    tool,
    mode: 'dry-run',
    async createWork(req: CreateWorkRequest): Promise<CreatedWork> {
      const tasks: CreatedWork['tasks'] = {};
      for (const t of req.plan.tasks) {
        tasks[t.id] = { id: fakeId(req.idempotencyKey, t.id), key: null, url: null, assignee: t.assigneeEmail };
      }
      const summaryOfPlan = {
        project: req.plan.project,
        parent: req.plan.parent.summary,
        tasks: req.plan.tasks.map((t) => ({ id: t.id, summary: t.summary, assignee: t.assigneeEmail, dueDate: t.dueDate, blockedBy: t.after })),
      };
      // The exact requests the live connector would send (ids the tool assigns shown as <placeholders>).
      const planned = { plan: req.plan, document: req.document, handoffId: req.handoffId, mapping: req.mapping };
      const payload = { ...summaryOfPlan, requests: planRequests(planned) };
      await sink.record({ handoffId: req.handoffId, connector: tool, action: 'createWork', idempotencyKey: req.idempotencyKey, payload });
      return { parent: { id: fakeId(req.idempotencyKey, 'parent'), key: null, url: null }, tasks, notes: [] };
    },
    // Nothing exists in the tool, so nothing is known live: the watcher falls back to what webhooks stored.
    async readTasks(): Promise<TaskState[]> {
      return [];
    },
  };
}

export function createDryRunChat(sink: DryRunSink, planIntro: PlanIntroRequest): ChatConnector {
  return {
    tool: 'slack',
    mode: 'dry-run',
    async postIntro(req: PostIntroRequest): Promise<PostedMessage> {
      const ts = `${1_700_000_000 + (Buffer.from(req.idempotencyKey).reduce((a, b) => (a * 31 + b) % 100_000_000, 7))}.000100`;
      // As the live connector builds it, with people named in plain text (no lookups in dry-run); the record
      // always states the thread (null: a new one).
      const { body } = planIntro({ intro: req.intro, people: req.people, handoffId: req.handoffId });
      const payload = { channel: req.intro.channel, thread_ts: req.intro.threadTs, ...body };
      await sink.record({ handoffId: req.handoffId, connector: 'slack', action: 'postIntro', idempotencyKey: req.idempotencyKey, payload });
      return { channel: req.intro.channel, ts, threadTs: req.intro.threadTs ?? ts };
    },
    async sendDirectMessage(req: DirectMessageRequest) {
      const payload = { to: req.email, text: req.text };
      const r = await sink.record({ handoffId: req.handoffId, connector: 'slack', action: 'sendDirectMessage', idempotencyKey: req.idempotencyKey, payload });
      return { channel: `dry-run-dm:${req.email}`, ts: String(r.id) };
    },
    async postMessage(req: ChannelMessageRequest): Promise<PostedMessage> {
      const payload = { channel: req.channel, thread_ts: req.threadTs ?? null, text: req.text, blocks: req.blocks ?? null, metadata: { event_type: req.metadataType, event_payload: req.metadata } };
      const r = await sink.record({ handoffId: req.handoffId, connector: 'slack', action: 'postMessage', idempotencyKey: req.idempotencyKey, payload });
      const ts = `${1_700_000_000 + r.id}.000200`;
      return { channel: req.channel, ts, threadTs: req.threadTs ?? ts };
    },
  };
}

/** The note id HubSpot would assign, as the deal PATCH after it would carry it. */
export const DRY_RUN_NOTE_ID = '<id of the note created above>';

/**
 * The exact writes the live CRM writer would send, built by the same functions (for HubSpot
 * connectors/hubspot/write-requests.ts): method, path and body; ids the CRM assigns as <placeholders>.
 */
export function createDryRunCrmWriter(crm: string, sink: DryRunSink, planWrites: PlanCrmWrites): CrmWriter {
  return {
    crm,
    mode: 'dry-run',
    async writeBack(req: WriteBackRequest): Promise<{ noteId: string | null }> {
      const requests = planWrites.writeBack(req, DRY_RUN_NOTE_ID);
      await sink.record({ handoffId: req.handoffId, connector: crm, action: 'writeBack', idempotencyKey: req.idempotencyKey, payload: { dealId: req.dealId, requests } });
      return { noteId: null };
    },
    async writeMilestone(req: MilestoneWriteRequest): Promise<void> {
      const payload = { dealId: req.dealId, milestone: req.milestone, requests: planWrites.milestone(req) };
      await sink.record({ handoffId: req.handoffId, connector: crm, action: 'writeMilestone', idempotencyKey: req.idempotencyKey, payload });
    },
    async addNote(req: NoteRequest): Promise<{ noteId: string | null }> {
      const payload = { dealId: req.dealId, requests: planWrites.note(req) };
      await sink.record({ handoffId: req.handoffId, connector: crm, action: 'addNote', idempotencyKey: req.idempotencyKey, payload });
      return { noteId: null };
    },
  };
}
