// Job payloads are validated when they are taken from Redis: a job written by an older or newer
// version of Baton fails with a clear message instead of half-running.
import { z } from 'zod';

const propertyBag = z.record(z.string(), z.string().nullable());

export const CrmEventSchema = z.object({
  identity: z.string().min(1),
  crm: z.string().min(1),
  accountId: z.string(),
  kind: z.enum([
    'deal.created',
    'deal.property_changed',
    'deal.deleted',
    'deal.merged',
    'deal.restored',
    'deal.association_changed',
    'deal.snapshot',
    'deal.reconciled',
  ]),
  dealId: z.string().min(1),
  occurredAt: z.number(),
  property: z.object({ name: z.string(), value: z.string().nullable() }).optional(),
  mergedDealIds: z.array(z.string()).optional(),
  source: z.object({ changeSource: z.string().optional(), sourceId: z.string().optional(), appId: z.string().optional() }).optional(),
  snapshot: z
    .object({
      properties: propertyBag,
      pipelineId: z.string().nullable(),
      stageId: z.string().nullable(),
      ownerId: z.string().nullable(),
      contactIds: z.array(z.string()),
      companyIds: z.array(z.string()),
    })
    .optional(),
});

export const IngestJobSchema = z.object({
  receivedAt: z.string(),
  origin: z.enum(['webhook', 'reconcile']),
  events: z.array(CrmEventSchema).min(1),
});
export type IngestJob = z.infer<typeof IngestJobSchema>;

export const RouteJobSchema = z.object({ event: CrmEventSchema });
export type RouteJob = z.infer<typeof RouteJobSchema>;

export const HandoffJobSchema = z.object({ handoffId: z.string().min(1), reason: z.string() });
export type HandoffJob = z.infer<typeof HandoffJobSchema>;

export const NudgeJobSchema = z.object({ handoffId: z.string().min(1), missingKey: z.string().min(1) });
export type NudgeJob = z.infer<typeof NudgeJobSchema>;

export const ReconcileJobSchema = z.object({}).passthrough();

// ---- Watching (issue #4) ----

/**
 * One escalation check: [check id, rung, round]. Tiny on purpose: 100,000 of these may wait in Redis, and a
 * job hash whose values all stay under 64 bytes is stored compactly (listpack) — less than half the memory.
 */
export const CheckJobSchema = z.tuple([z.number().int().positive(), z.number().int().min(0), z.number().int().min(0)]);
export type CheckJob = z.infer<typeof CheckJobSchema>;

const EscalationRefSchema = z.object({ handoffId: z.string().min(1), triggerId: z.string().min(1), rung: z.number().int().min(0), round: z.number().int().min(0) });

/** A click on an escalation's Acknowledge / Snooze button. */
export const EscalationActionJobSchema = z.object({
  action: z.enum(['ack', 'snooze']),
  ref: EscalationRefSchema,
  /** Slack user id and name of whoever clicked. */
  user: z.object({ id: z.string(), name: z.string().nullable() }),
  at: z.string(),
});
export type EscalationActionJob = z.infer<typeof EscalationActionJobSchema>;

export const JiraStatusJobSchema = z.object({
  deliveryId: z.string().nullable(),
  event: z.object({
    kind: z.enum(['created', 'updated', 'deleted']),
    timestamp: z.number(),
    /** Absent in jobs queued before it existed: the timestamp stands in. */
    updatedAt: z.string().nullable().optional(),
    issueId: z.string(),
    issueKey: z.string().nullable(),
    statusName: z.string().nullable(),
    category: z.enum(['todo', 'in_progress', 'done', 'unknown']),
    assignee: z.string().nullable(),
    dueDate: z.string().nullable(),
    labels: z.array(z.string()),
    taskId: z.string().nullable(),
    changed: z.array(z.string()),
  }),
});
export type JiraStatusJob = z.infer<typeof JiraStatusJobSchema>;

export const AsanaStatusJobSchema = z.object({ taskGids: z.array(z.string()).min(1) });
export type AsanaStatusJob = z.infer<typeof AsanaStatusJobSchema>;

export const FeedbackJobSchema = z.object({ handoffId: z.string().min(1) });
export type FeedbackJob = z.infer<typeof FeedbackJobSchema>;

/** Answers from the Slack modal or the web form, checked again by the worker against the stored questions. */
export const FeedbackAnswersJobSchema = z.object({
  handoffId: z.string().min(1),
  raw: z.record(z.string(), z.string().nullable()),
  by: z.string(),
  via: z.enum(['slack', 'web']),
});
export type FeedbackAnswersJob = z.infer<typeof FeedbackAnswersJobSchema>;

export function parseJob<T>(schema: z.ZodType<T>, data: unknown, queue: string): T {
  const r = schema.safeParse(data);
  if (!r.success) throw new Error(`invalid ${queue} job payload: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}
