// Shared test data for the mapping tests: a small valid mapping (line numbers matter: error tests
// edit single lines of it), CRM pipelines with a custom numeric-id pipeline, and deals.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CrmDeal, CrmPipeline, CrmStage } from '../../../src/handoff/ports.js';
import { parseMapping } from '../../../src/mapping/load-mappings.js';
import type { Mapping } from '../../../src/mapping/schema.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/mappings/', import.meta.url));

/** Line N of this array is line N+1 of the file. */
export const BASE_LINES = [
  'name: test-mapping', // 1
  'trigger:', // 2
  '  pipeline: default', // 3
  '  stage: closedwon', // 4
  'timezone: America/New_York', // 5
  'business_days:', // 6
  '  holidays: US', // 7
  'people:', // 8
  '  lead: { from: deal.lead_email, fallback: lead@example.com }', // 9
  'document:', // 10
  '  title: "Handoff {{ deal.dealname }}"', // 11
  '  sections:', // 12
  '    scope:', // 13
  '      - { label: Scope sold, field: deal.scope, required: true }', // 14
  'work:', // 15
  '  tool: jira', // 16
  '  project: DEL', // 17
  '  parent: { summary: "{{ deal.dealname }}" }', // 18
  '  tasks:', // 19
  '    - { id: first, summary: First, assignee: lead, due: 1 business day }', // 20
  '    - { id: second, summary: Second, after: [first], due: 2 business days }', // 21
];
export const BASE_YAML = BASE_LINES.join('\n') + '\n';

/** The base mapping with 1-based line `n` replaced (or removed when `text` is null). */
export function withLine(n: number, text: string | null): string {
  const lines = [...BASE_LINES];
  if (text === null) lines.splice(n - 1, 1);
  else lines[n - 1] = text;
  return lines.join('\n') + '\n';
}

export function mustParse(text: string, env: Record<string, string | undefined> = {}): Mapping {
  const { mapping, errors } = parseMapping('test.yaml', text, env);
  if (!mapping) throw new Error(`mapping did not load: ${JSON.stringify(errors)}`);
  return mapping;
}

export function fixtureDeal(name = 'deal-complete.json'): CrmDeal {
  return JSON.parse(readFileSync(`${FIXTURES}${name}`, 'utf8')) as CrmDeal;
}

export function deal(overrides: Partial<CrmDeal> & { props?: Record<string, string | null> } = {}): CrmDeal {
  const { props, ...rest } = overrides;
  return {
    crm: 'hubspot',
    accountId: '62515',
    id: '1001',
    properties: { dealname: 'Widget rollout', dealtype: 'newbusiness', ...props },
    pipelineId: 'default',
    stageId: 'closedwon',
    url: null,
    archived: false,
    company: null,
    contacts: [],
    owner: null,
    ...rest,
  };
}

function stage(pipelineId: string, pipelineLabel: string, stageId: string, stageLabel: string, kind: 'open' | 'won' | 'lost'): CrmStage {
  return { pipelineId, pipelineLabel, stageId, stageLabel, isClosed: kind !== 'open', isWon: kind === 'won' };
}

export const PIPELINES: CrmPipeline[] = [
  {
    id: 'default',
    label: 'Sales Pipeline',
    stages: [
      stage('default', 'Sales Pipeline', 'appointmentscheduled', 'Appointment Scheduled', 'open'),
      stage('default', 'Sales Pipeline', 'contractsent', 'Contract Sent', 'open'),
      stage('default', 'Sales Pipeline', 'closedwon', 'Closed Won', 'won'),
      stage('default', 'Sales Pipeline', 'closedlost', 'Closed Lost', 'lost'),
    ],
  },
  {
    // Custom pipelines have numeric ids; HubSpot marks "won" with probability 1.0, not with an id.
    id: '7654321',
    label: 'Enterprise',
    stages: [
      stage('7654321', 'Enterprise', '11348540', 'Discovery', 'open'),
      stage('7654321', 'Enterprise', '11348546', 'Legal review', 'open'),
      stage('7654321', 'Enterprise', '11348547', 'Signed', 'won'),
      stage('7654321', 'Enterprise', '11348548', 'Lost', 'lost'),
    ],
  },
];
