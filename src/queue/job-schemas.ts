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

export function parseJob<T>(schema: z.ZodType<T>, data: unknown, queue: string): T {
  const r = schema.safeParse(data);
  if (!r.success) throw new Error(`invalid ${queue} job payload: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}
