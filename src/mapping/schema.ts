// The mapping format (mappings/*.yaml), as zod schemas. Shape and per-value checks live here; checks that
// need the whole mapping (roles, task graph, calendar, template variables) are in mapping-checks.ts.
// docs/mappings.md is the reference for admins: keep the two in step.
import { z } from 'zod';
import { RE2JS } from 're2js';
import { SECTION_IDS } from '../handoff/types.js';
import { parseDuration } from '../handoff/durations.js';
import { checkTemplate } from './template.js';

/** An object that refuses unknown keys and says which keys it knows (the loader adds the offending key). */
function strict<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? `expected one of: ${Object.keys(shape).join(', ')}` : undefined),
  });
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export const NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const ROLE_PATTERN = /^[a-z][a-z0-9_]*$/;
export const TASK_ID_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
export const FIELD_KEY_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
/** owner.* is not a CRM record here: only the person fields Baton reads are available. */
export const FIELD_PATH_PATTERN = /^(?:(?:deal|company|contact)\.[A-Za-z0-9_]+|owner\.(?:email|firstname|lastname|id))$/;

/** A Liquid template: checked for syntax (and sandbox rules) at load time. */
export const TemplateText = z.string().superRefine((text, ctx) => {
  const problem = checkTemplate(text);
  if (problem) ctx.addIssue({ code: 'custom', message: `invalid Liquid template: ${problem}` });
});

export const FieldPath = z
  .string()
  .regex(FIELD_PATH_PATTERN, 'expected a field path like deal.baton_scope, company.name, contact.email or owner.email');

export const DurationText = z.string().superRefine((text, ctx) => {
  try {
    parseDuration(text);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: errorText(e) });
  }
});

/** Regular expressions run on client-written text: RE2 syntax, matched in linear time (no ReDoS). */
export const SafeRegex = z.string().superRefine((text, ctx) => {
  try {
    RE2JS.compile(text);
  } catch (e) {
    ctx.addIssue({
      code: 'custom',
      message: `invalid regular expression (RE2 syntax: no backreferences or lookaround): ${errorText(e)}`,
    });
  }
});

export const RoleName = z.string().regex(ROLE_PATTERN, 'expected a role name like project_lead ([a-z][a-z0-9_]*)');

/** CRM values are text; YAML `in: [1, true]` means the strings "1" and "true". */
const ConditionValue = z
  .union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' })
  .transform((v) => String(v));

const CONDITION_OPERATORS = ['in', 'not_in', 'equals', 'exists', 'matches'] as const;

export const ConditionSchema = strict({
  field: FieldPath,
  in: z.array(ConditionValue).min(1).optional(),
  not_in: z.array(ConditionValue).min(1).optional(),
  equals: ConditionValue.optional(),
  exists: z.boolean().optional(),
  matches: SafeRegex.optional(),
}).superRefine((c, ctx) => {
  const used = CONDITION_OPERATORS.filter((op) => c[op] !== undefined);
  if (used.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message:
        used.length === 0
          ? `a condition needs one of: ${CONDITION_OPERATORS.join(', ')}`
          : `a condition takes exactly one operator, got ${used.join(' and ')} (list several conditions instead)`,
    });
  }
});
export type Condition = z.infer<typeof ConditionSchema>;

/** `*` matches any run of characters; everything else literally (SKUs often contain dots and dashes). */
export const SKU_PATTERN = /^[^\s]{1,100}$/;

/** Which line items: every condition must hold; none → every line item. */
export const LineItemWhereSchema = strict({
  /** SKU, `*` as wildcard (e.g. TRAIN-*). */
  sku: z.string().regex(SKU_PATTERN, 'expected a SKU pattern without spaces, `*` as wildcard').optional(),
  /** The line item's product has these property values (e.g. delivery_track: training). */
  product: z.record(z.string().regex(/^[A-Za-z0-9_]+$/, 'expected a product property name'), z.string()).optional(),
});
export type LineItemWhere = z.infer<typeof LineItemWhereSchema>;

export const TriggerSchema = strict({
  crm: z.string().regex(/^[a-z0-9-]+$/, 'expected a CRM name like hubspot').default('hubspot'),
  /** Pipeline id or label; omitted = any pipeline. */
  pipeline: z.string().min(1).optional(),
  /** Stage id, stage label, or `won` (any stage the CRM marks won). */
  stage: z.string().min(1),
  when: z.array(ConditionSchema).default([]),
  /** Only deals with at least one line item like this (the mapping chosen by what was sold). */
  sold: LineItemWhereSchema.optional(),
});

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

const HolidaysObject = strict({
  country: z.string().regex(/^[A-Za-z]{2}$/, 'expected a 2-letter country code like US').optional(),
  state: z.string().min(1).optional(),
  dates: z.array(IsoDate).optional(),
});

/** `holidays: US` and `holidays: US-NY` are shorthands for `{ country: US }` / `{ country: US, state: NY }`. */
export const HolidaysSchema = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const [country, state] = v.split('-', 2);
  return state === undefined ? { country } : { country, state };
}, HolidaysObject);

export const BusinessDaysSchema = strict({
  holidays: HolidaysSchema.nullable().default(null),
});

export const PersonSchema = strict({
  /** Field path holding the email (owner.email, deal.baton_project_lead_email, ...). */
  from: FieldPath.optional(),
  /** Used when `from` is empty or not an email. */
  fallback: z.email('expected an email address').optional(),
  /** A fixed email. */
  email: z.email('expected an email address').optional(),
  /** Display name template; default: the owner's / contact's name when `from` reads owner.* / contact.*. */
  name: TemplateText.optional(),
}).superRefine((p, ctx) => {
  if ((p.from === undefined) === (p.email === undefined)) {
    ctx.addIssue({ code: 'custom', message: 'a person needs exactly one of `from` (a field path) or `email`' });
  }
  if (p.fallback !== undefined && p.from === undefined) {
    ctx.addIssue({ code: 'custom', path: ['fallback'], message: '`fallback` only applies with `from`' });
  }
});
export type PersonSpec = z.infer<typeof PersonSchema>;

export const FieldItemSchema = strict({
  label: z.string().min(1),
  field: FieldPath.optional(),
  value: TemplateText.optional(),
  required: z.boolean().default(false),
  /** Stable id of the field (missing lists, nudges); default: slug of the label. */
  key: z.string().regex(FIELD_KEY_PATTERN, 'expected a key like scope_sold ([a-z0-9_-])').optional(),
}).superRefine((f, ctx) => {
  if ((f.field === undefined) === (f.value === undefined)) {
    ctx.addIssue({ code: 'custom', message: 'a document field needs exactly one of `field` (a field path) or `value` (a template)' });
  }
});
export type FieldItem = z.infer<typeof FieldItemSchema>;

const sectionShape = Object.fromEntries(SECTION_IDS.map((id) => [id, z.array(FieldItemSchema).optional()])) as Record<
  (typeof SECTION_IDS)[number],
  z.ZodOptional<z.ZodArray<typeof FieldItemSchema>>
>;

export const DocumentSchema = strict({
  title: TemplateText,
  sections: strict(sectionShape),
});

const Label = z.string().regex(/^\S+$/, 'labels cannot contain spaces (Jira rejects them)');

/** Tool-specific fields: any JSON value; every string inside is a template. */
const TaskFields = z.record(z.string().min(1), z.json()).superRefine((fields, ctx) => {
  const visit = (value: unknown, path: (string | number)[]): void => {
    if (typeof value === 'string') {
      const problem = checkTemplate(value);
      if (problem) ctx.addIssue({ code: 'custom', path, message: `invalid Liquid template: ${problem}` });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, [...path, i]));
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
    }
  };
  for (const [k, v] of Object.entries(fields)) visit(v, [k]);
});

export const MILESTONES = ['kickoff', 'first_deliverable'] as const;

export const TaskSchema = strict({
  id: z.string().regex(TASK_ID_PATTERN, 'expected a task id like review-doc ([a-z0-9_-])'),
  summary: TemplateText,
  description: TemplateText.optional(),
  /** A role declared under `people`. */
  assignee: RoleName.optional(),
  /** Task ids this one waits for; its due date counts from the latest of theirs. */
  after: z.array(z.string()).default([]),
  due: DurationText.optional(),
  milestone: z.enum(MILESTONES).optional(),
  labels: z.array(Label).default([]),
  fields: TaskFields.default({}),
});
export type TaskSpec = z.infer<typeof TaskSchema>;

/**
 * Tasks generated once per line item that matches `where` (docs/mappings.md, "Line items"). Inside the group a
 * task's `after` may name a sibling (the same line item's task) or any task outside the groups; a task outside
 * may wait for a group task by its id (every generated instance). Templates see the line item as `item`.
 */
export const LineItemGroupSchema = strict({
  for_each: z.literal('line_items'),
  where: LineItemWhereSchema.default({}),
  tasks: z.array(TaskSchema).min(1),
});
export type LineItemGroupSpec = z.infer<typeof LineItemGroupSchema>;

export const WorkSchema = strict({
  tool: z.enum(['jira', 'asana']),
  /** Jira project key or Asana project/team id. */
  project: z.string().min(1),
  parent: strict({ summary: TemplateText }),
  labels: z.array(Label).default([]),
  tasks: z.array(TaskSchema).min(1),
  /** Task groups generated per matching line item (what was sold). */
  groups: z.array(LineItemGroupSchema).default([]),
});

export const ThreadSchema = strict({
  tool: z.literal('slack').default('slack'),
  channel: TemplateText,
  thread_ts: TemplateText.optional(),
  message: TemplateText,
});

// ---- Watching: escalations and feedback (docs/watching.md). ----

/** `unless:` as text: a task's live state in the delivery tool, or the document's completeness. */
export const UNLESS_PATTERN = /^(?:task\.([a-z0-9][a-z0-9_-]*)\.(done|started)|document\.complete)$/;
/** `at:` names a task's due moment. */
export const AT_PATTERN = /^task\.([a-z0-9][a-z0-9_-]*)\.due$/;
const UNLESS_EXPECTED = 'expected task.<id>.done, task.<id>.started, document.complete, or a field condition like { field: deal.x, exists: true }';

const UnlessText = z.string().regex(UNLESS_PATTERN, UNLESS_EXPECTED);
export type Unless = string | Condition;

/** Text or a field condition; dispatched by type so an error points into the one the admin meant. */
export const UnlessSchema = z.unknown().transform((v, ctx): Unless => {
  const schema: z.ZodType | null = typeof v === 'string' ? UnlessText : typeof v === 'object' && v !== null && !Array.isArray(v) ? ConditionSchema : null;
  if (!schema) {
    ctx.addIssue({ code: 'custom', message: UNLESS_EXPECTED });
    return z.NEVER;
  }
  const r = schema.safeParse(v);
  if (!r.success) {
    for (const i of r.error.issues) ctx.addIssue(i as never);
    return z.NEVER;
  }
  return r.data as Unless;
});

/** A Slack channel id or #name. */
const ChannelName = z.string().regex(/^#?[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a Slack channel id or #name like #delivery-escalations');
const NotifyList = z.array(RoleName).min(1, 'name at least one role to notify');

/** A later rung of the ladder: `after` counts from when the previous rung fired. */
export interface EscalationRungSpec {
  after: string;
  notify?: string[] | undefined;
  channel?: string | undefined;
  then?: EscalationRungSpec | undefined;
}
export const EscalationRungSchema: z.ZodType<EscalationRungSpec> = z.lazy(() =>
  strict({
    after: DurationText,
    notify: NotifyList.optional(),
    channel: ChannelName.optional(),
    then: EscalationRungSchema.optional(),
  }),
);

export const EscalationSchema = strict({
  id: z.string().regex(TASK_ID_PATTERN, 'expected an escalation id like kickoff-not-scheduled ([a-z0-9_-])'),
  /** From the close (e.g. "48 hours", "2 business days"). */
  after: DurationText.optional(),
  /** A task's due moment: `task.<id>.due` (moves when the due date moves in the tool). */
  at: z.string().regex(AT_PATTERN, 'expected task.<id>.due').optional(),
  /** The check fires only while this does NOT hold. Omitted = always fires. */
  unless: UnlessSchema.optional(),
  notify: NotifyList,
  /** Default: SLACK_ESCALATION_CHANNEL. */
  channel: ChannelName.optional(),
  then: EscalationRungSchema.optional(),
}).superRefine((e, ctx) => {
  if ((e.after === undefined) === (e.at === undefined)) {
    ctx.addIssue({ code: 'custom', message: 'an escalation needs exactly one of `after` (a duration from the close) or `at` (task.<id>.due)' });
  }
});
export type EscalationSpec = z.infer<typeof EscalationSchema>;

export const FEEDBACK_QUESTION_TYPES = ['rating', 'text', 'choice', 'section'] as const;

export const FeedbackQuestionSchema = strict({
  id: z.string().regex(FIELD_KEY_PATTERN, 'expected a question id like accuracy ([a-z0-9_-])'),
  text: z.string().min(1).max(150, 'at most 150 characters (Slack modal labels)'),
  /** rating: 1–5; text: free text; choice: one of `options`; section: one of the document's sections. */
  type: z.enum(FEEDBACK_QUESTION_TYPES),
  options: z.array(z.string().min(1).max(75)).min(2).max(10).optional(),
  required: z.boolean().default(false),
}).superRefine((q, ctx) => {
  if (q.type === 'choice' && q.options === undefined) ctx.addIssue({ code: 'custom', message: 'a choice question needs `options`' });
  if (q.type !== 'choice' && q.options !== undefined) ctx.addIssue({ code: 'custom', path: ['options'], message: '`options` only applies to type: choice' });
});
export type FeedbackQuestion = z.infer<typeof FeedbackQuestionSchema>;

export const FeedbackSchema = strict({
  after: DurationText,
  ask: RoleName,
  /** Omitted: accuracy (1–5), surprises, expectations (yes/no/partly), which section was wrong. */
  questions: z.array(FeedbackQuestionSchema).min(1).max(10).optional(),
});

/** Short posts in the client's thread when a milestone task moves (plain text, escaped; no templates). */
export const ClientUpdatesSchema = strict({
  /** When the kickoff task is under way (or done): "kickoff scheduled". */
  kickoff: z.string().min(1).max(2000).optional(),
  /** When the first deliverable task is done. */
  first_deliverable: z.string().min(1).max(2000).optional(),
});

export const MappingShape = strict({
  name: z.string().regex(NAME_PATTERN, 'expected a name like services-onboarding ([a-z0-9-])'),
  description: z.string().optional(),
  trigger: TriggerSchema,
  prepare: strict({ stage: z.string().min(1) }).optional(),
  timezone: z.string().min(1).default('UTC'),
  /** The currency of amounts on deals that carry none (a single-currency HubSpot portal leaves deal_currency_code empty). */
  currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code such as USD').optional(),
  business_days: BusinessDaysSchema.default({ holidays: null }),
  people: z.record(RoleName, PersonSchema).default({}),
  document: DocumentSchema,
  work: WorkSchema,
  thread: ThreadSchema.optional(),
  escalations: z.array(EscalationSchema).default([]),
  feedback: FeedbackSchema.optional(),
  client_updates: ClientUpdatesSchema.optional(),
});
export type MappingShapeOutput = z.infer<typeof MappingShape>;

/** A checked mapping: the shape above; the whole-mapping checks (mapping-checks.ts, applied by load-mappings.ts) do not change the type. */
export type Mapping = MappingShapeOutput;
