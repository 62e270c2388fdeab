// `baton validate --live` for HubSpot: does every deal property a mapping reads (and every property Baton writes)
// exist, and do its pipeline and stages exist? One problem per finding, each with the fix.
import { isPermanent, isRetryable } from '../../src/handoff/errors.js';
import { BATON_PROPERTIES, BATON_PROPERTY_NAMES } from './baton-properties.js';
import { createHubSpotSdk, type HubSpotSdkOptions } from './hubspot-sdk.js';
import { requiredScopes, scopeOf } from './required-scopes.js';
import { tokenScopeProblems } from './token-scopes.js';

export interface PreflightProblem {
  problem: string;
  fix: string;
}

export interface HubSpotPreflightRequest {
  mapping: string;
  /** Deal property internal names the mapping reads. */
  dealProperties: string[];
  /** Pipeline id or label the trigger names (absent: any pipeline). */
  pipeline?: string;
  /** Stage ids or labels (the trigger's and prepare's); `won` means any closed-won stage. */
  stages: string[];
}

/** Same meaning as src/mapping/trigger.ts: the CRM's own "closed won", not a stage named so. */
const WON = 'won';
const SETUP = 'run `baton hubspot setup` to create the Baton handoff properties';
const WRITTEN = BATON_PROPERTIES.filter((p) => p.writtenBy === 'baton').map((p) => p.name);

interface StageLike {
  id: string;
  label: string;
  archived?: boolean;
  metadata?: Record<string, string>;
}
interface PipelineLike {
  id: string;
  label: string;
  archived?: boolean;
  stages: StageLike[];
}

export async function hubspotPreflight(opts: HubSpotSdkOptions, req: HubSpotPreflightRequest): Promise<PreflightProblem[]> {
  const sdk = createHubSpotSdk(opts);
  const where = `mapping ${req.mapping}`;
  let names: string[];
  let pipelines: PipelineLike[];
  let scopeProblems: PreflightProblem[] = [];
  try {
    scopeProblems = await tokenScopeProblems(sdk, opts.accessToken, where);
    const props = await sdk.send('preflight: list deal properties', scopeOf('GET', '/crm/v3/properties/deals'), (call) =>
      sdk.client.crm.properties.coreApi.getAll('deals', false, undefined, call),
    );
    names = props.results.map((p) => p.name);
    const res = await sdk.send('preflight: list deal pipelines', scopeOf('GET', '/crm/v3/pipelines/deals'), (call) =>
      sdk.client.crm.pipelines.pipelinesApi.getAll('deals', call),
    );
    pipelines = (res.results as PipelineLike[]).filter((p) => p.archived !== true);
  } catch (e) {
    // A 403 for a scope the lines above already name adds nothing.
    if (isPermanent(e) && scopeProblems.length > 0 && / \(403/.test(e.message)) return scopeProblems;
    if (isPermanent(e)) return [...scopeProblems, { problem: `${where}: ${e.message}`, fix: fixFor(e.field) }];
    if (isRetryable(e)) return [{ problem: `${where}: ${e.message}`, fix: 'check HUBSPOT_API_BASE_URL and the network, then run the check again' }];
    throw e;
  }

  const problems: PreflightProblem[] = [...scopeProblems];
  const existing = new Set(names);
  let setupNeeded = false;
  for (const name of [...new Set(req.dealProperties)]) {
    if (existing.has(name)) continue;
    if (BATON_PROPERTY_NAMES.has(name)) {
      setupNeeded = true;
      problems.push({ problem: `${where}: deal property ${name} does not exist in HubSpot`, fix: SETUP });
      continue;
    }
    const near = closest(name, names);
    problems.push({
      problem: `${where}: deal property ${name} does not exist${near ? ` — did you mean ${near}?` : ''}`,
      fix: near
        ? `use ${near} in the mapping, or create ${name} in HubSpot (Settings → Properties → Deal properties)`
        : `create ${name} in HubSpot (Settings → Properties → Deal properties) or remove it from the mapping; mappings use internal names, not labels`,
    });
  }
  const missingWritten = WRITTEN.filter((n) => !existing.has(n) && !req.dealProperties.includes(n));
  if (missingWritten.length > 0 && !setupNeeded) {
    problems.push({ problem: `${where}: the deal properties Baton writes back are missing: ${missingWritten.join(', ')}`, fix: SETUP });
  } else if (missingWritten.length > 0) {
    problems.push({ problem: `${where}: also missing (written back by Baton): ${missingWritten.join(', ')}`, fix: SETUP });
  }

  problems.push(...checkPipeline(where, req, pipelines));
  return problems;
}

function checkPipeline(where: string, req: HubSpotPreflightRequest, pipelines: PipelineLike[]): PreflightProblem[] {
  const norm = (s: string) => s.trim().toLowerCase();
  const describe = (ps: PipelineLike[]) => ps.map((p) => `${p.label} (${p.id})`).join(', ') || 'none';
  let covered = pipelines;
  if (req.pipeline !== undefined) {
    const ref = req.pipeline;
    const byId = pipelines.filter((p) => p.id === ref);
    covered = byId.length > 0 ? byId : pipelines.filter((p) => norm(p.label) === norm(ref));
    if (covered.length === 0) {
      return [{
        problem: `${where}: deal pipeline '${ref}' does not exist in HubSpot`,
        fix: `set trigger.pipeline to one of: ${describe(pipelines)}`,
      }];
    }
  }
  const problems: PreflightProblem[] = [];
  const stages = covered.flatMap((p) => p.stages.filter((s) => s.archived !== true));
  for (const ref of [...new Set(req.stages)]) {
    if (norm(ref) === WON) {
      if (!stages.some((s) => s.metadata?.isClosed === 'true' && Number(s.metadata.probability) === 1)) {
        problems.push({
          problem: `${where}: no stage of ${describe(covered)} is closed won (closed with probability 100%)`,
          fix: 'mark the won stage as closed won in HubSpot (Settings → Objects → Deals → Pipelines), or name the stage id in the mapping',
        });
      }
      continue;
    }
    if (stages.some((s) => s.id === ref || norm(s.label) === norm(ref))) continue;
    const near = closest(ref, stages.flatMap((s) => [s.id, s.label]));
    problems.push({
      problem: `${where}: stage '${ref}' does not exist in ${describe(covered)}${near ? ` — did you mean ${near}?` : ''}`,
      fix: `use one of: ${stages.map((s) => `${s.label} (${s.id})`).join(', ')}, or \`won\` for any closed-won stage`,
    });
  }
  return problems;
}

function fixFor(field: string | undefined): string {
  if (field === 'HUBSPOT_ACCESS_TOKEN') {
    return `set HUBSPOT_ACCESS_TOKEN to the access token of a HubSpot app with the scopes ${requiredScopes().join(', ')} (docs/hubspot-app.md)`;
  }
  return 'fix the HubSpot settings named above, then run the check again';
}

/** The most similar name within a small edit distance, or undefined. */
export function closest(name: string, candidates: string[]): string | undefined {
  const limit = Math.max(2, Math.floor(name.length / 4));
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = levenshtein(name.toLowerCase(), c.toLowerCase());
    if (d <= limit && (best === undefined || d < best.d)) best = { c, d };
  }
  return best?.c;
}

function levenshtein(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? Infinity;
}
