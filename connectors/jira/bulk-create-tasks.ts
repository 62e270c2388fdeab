// Creates tasks through POST /rest/api/3/issue/bulk, at most 50 per call. Jira answers a mixed batch
// with the created issues plus per-element errors (and a 400 with the same shape when all failed). The
// created ones are handed to `onCreated` (which records them) before any error is thrown, so a retry
// never re-creates them. An element rejected only for its assignee (a user who cannot be assigned in
// the project) is created again unassigned, with a note, rather than failing the handoff. Each batch goes
// through `hooks.send`, which records it as sent until its answer is recorded (ambiguous-create.ts).
import { RetryableError, type PermanentError } from '../../src/handoff/errors.js';
import { CONNECTOR, classifyBulkElementError, describeJiraFailure, fieldErrors } from './classify-error.js';
import type { IssueCreate } from './issue-payloads.js';
import type { JiraCall } from './jira-client.js';

export const BULK_LIMIT = 50;

export interface BulkItem {
  taskId: string;
  /** Builds the payload; `assign` false drops the assignee. */
  payload(assign: boolean): IssueCreate;
  /** Whether the payload carries an assignee at all. */
  assigned: boolean;
}

export interface BulkCreated {
  taskId: string;
  id: string;
  key: string;
  assigned: boolean;
}

interface BulkAnswer {
  issues?: { id?: string; key?: string }[];
  errors?: { status?: number; elementErrors?: { errorMessages?: string[]; errors?: unknown }; failedElementNumber?: number }[];
}

export async function bulkCreateTasks(
  call: JiraCall,
  items: readonly BulkItem[],
  ctx: { projectKey: string; mapping: string },
  hooks: {
    /** Wraps each bulk call (records it as sent before, see ambiguous-create.ts). */
    send<T>(call: () => Promise<T>): Promise<T>;
    /** Every matched answer, also one that created nothing: records the created ones and that the answer came. */
    onCreated(created: BulkCreated[]): Promise<void>;
    note(text: string): void;
  },
): Promise<void> {
  const queue = items.map((item) => ({ item, assign: item.assigned }));
  while (queue.length > 0) {
    const batch = queue.splice(0, BULK_LIMIT);
    const answer = await hooks.send(() =>
      call(
        { operation: `bulk-create ${batch.length} task(s) in ${ctx.projectKey}`, mapping: ctx.mapping, project: ctx.projectKey, permission: 'Create issues' },
        async (c) => {
          try {
            return (await c.issues.createIssues({ issueUpdates: batch.map((b) => b.item.payload(b.assign)) as never })) as BulkAnswer;
          } catch (err) {
            // Every element failed: Jira says 400 with the bulk shape; treat it like a mixed answer.
            const f = describeJiraFailure(err);
            if (f.status === 400 && isBulkAnswer(f.body)) return f.body;
            throw err;
          }
        },
      ),
    );

    const issues = answer.issues ?? [];
    const errors = answer.errors ?? [];
    const failedAt = new Set(errors.map((e) => e.failedElementNumber));
    const okIndexes = batch.map((_, i) => i).filter((i) => !failedAt.has(i));
    // Created issues come back in request order, failed elements left out. When the numbers don't add
    // up the pairing is a guess: record nothing from this batch; the retry's label search finds them.
    if (okIndexes.length !== issues.length || errors.some((e) => e.failedElementNumber === undefined)) {
      throw new RetryableError(
        `mapping ${ctx.mapping}: Jira's bulk-create answer could not be matched to the tasks sent (${issues.length} created, ${errors.length} failed of ${batch.length}); the retry will find the created ones by their labels`,
        CONNECTOR,
      );
    }
    const created: BulkCreated[] = [];
    issues.forEach((issue, n) => {
      const b = batch[okIndexes[n] ?? -1];
      if (b && issue.id && issue.key) created.push({ taskId: b.item.taskId, id: issue.id, key: issue.key, assigned: b.assign });
    });
    await hooks.onCreated(created);

    const failures: (RetryableError | PermanentError)[] = [];
    for (const e of errors) {
      const b = batch[e.failedElementNumber ?? -1];
      if (!b) continue;
      const fields = fieldErrors(e.elementErrors).map((x) => x.field);
      if (b.assign && fields.length === 1 && fields[0] === 'assignee' && (e.elementErrors?.errorMessages ?? []).length === 0) {
        hooks.note(`Jira would not assign task ${b.item.taskId} in ${ctx.projectKey} (${fieldErrors(e.elementErrors)[0]?.message ?? 'assignee rejected'}): left unassigned`);
        queue.push({ item: b.item, assign: false });
        continue;
      }
      failures.push(
        classifyBulkElementError(e, {
          operation: `create task ${b.item.taskId} in ${ctx.projectKey}`,
          mapping: ctx.mapping,
          taskId: b.item.taskId,
          project: ctx.projectKey,
          permission: 'Create issues',
        }),
      );
    }
    // A field a human must fix outranks a transient one: say what needs doing first.
    const first = failures.find((f) => f.name === 'PermanentError') ?? failures[0];
    if (first) throw first;
  }
}

function isBulkAnswer(body: unknown): body is BulkAnswer {
  return typeof body === 'object' && body !== null && Array.isArray((body as BulkAnswer).errors);
}
