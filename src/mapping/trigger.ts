// Which mappings a deal's current state selects. Stages are named by id, by label, or `won` (the CRM's
// own notion: closed with probability 1.0), so custom pipelines with numeric stage ids need no ids in
// the YAML. `prepare` is a pre-close stage that starts the document early (completeness nudges).
import type { CrmDeal, CrmPipeline, CrmStage } from '../handoff/ports.js';
import { buildTemplateContext } from './context.js';
import { failedCondition } from './conditions.js';
import { groupMatches } from './line-item-groups.js';
import type { Mapping } from './schema.js';

export { dealReadRequest, referencedProperties } from './referenced-properties.js';

export type TriggerPhase = 'closed' | 'prepare';

/** The stage reference that means "any won stage"; it wins over a stage literally labelled "won". */
export const WON = 'won';

const norm = (s: string) => s.trim().toLowerCase();

function pipelineMatches(ref: string | undefined, p: CrmPipeline): boolean {
  return ref === undefined || p.id === ref || norm(p.label) === norm(ref);
}

function stageMatches(ref: string, s: CrmStage): boolean {
  if (norm(ref) === WON) return s.isWon;
  return s.stageId === ref || norm(s.stageLabel) === norm(ref);
}

/** Pipelines a mapping's trigger covers (all when it names none). */
function coveredPipelines(mapping: Mapping, pipelines: readonly CrmPipeline[]): CrmPipeline[] {
  const ref = mapping.trigger.pipeline;
  if (ref === undefined) return [...pipelines];
  // An id match wins over a label match, so a pipeline labelled like another's id cannot hijack it.
  const byId = pipelines.filter((p) => p.id === ref);
  return byId.length > 0 ? byId : pipelines.filter((p) => pipelineMatches(ref, p));
}

function matchingStageIds(ref: string, pipeline: CrmPipeline): string[] {
  const byId = pipeline.stages.filter((s) => s.stageId === ref && norm(ref) !== WON);
  const stages = byId.length > 0 ? byId : pipeline.stages.filter((s) => stageMatches(ref, s));
  return stages.map((s) => s.stageId);
}

/** Stage ids that mean `closed` for this mapping, across the pipelines it covers (for reconciliation). */
export function triggerStageIds(mapping: Mapping, pipelines: CrmPipeline[]): string[] {
  const ids = coveredPipelines(mapping, pipelines).flatMap((p) => matchingStageIds(mapping.trigger.stage, p));
  return [...new Set(ids)];
}

export function matchTrigger(
  mapping: Mapping,
  deal: CrmDeal,
  pipelines: CrmPipeline[],
): { phase: TriggerPhase | null; reason: string } {
  const no = (reason: string) => ({ phase: null, reason });
  const { trigger } = mapping;
  if (deal.crm !== trigger.crm) return no(`deal is from ${deal.crm}, mapping ${mapping.name} triggers on ${trigger.crm}`);
  if (deal.archived) return no('deal is archived');
  if (deal.stageId === null) return no('deal has no stage');

  const covered = coveredPipelines(mapping, pipelines);
  if (trigger.pipeline !== undefined && covered.length === 0) {
    return no(`pipeline '${trigger.pipeline}' named by mapping ${mapping.name} does not exist in ${deal.crm}`);
  }
  const pipeline = covered.find((p) => p.id === deal.pipelineId);
  if (!pipeline) {
    if (!pipelines.some((p) => p.id === deal.pipelineId)) {
      return no(`deal pipeline ${deal.pipelineId ?? '(none)'} is not among the ${deal.crm} pipelines Baton knows`);
    }
    return no(`deal is in pipeline ${deal.pipelineId ?? '(none)'}, mapping ${mapping.name} triggers on pipeline '${trigger.pipeline ?? ''}'`);
  }
  const stage = pipeline.stages.find((s) => s.stageId === deal.stageId);
  if (!stage) return no(`deal stage ${deal.stageId} is not a stage of pipeline ${pipeline.label} (${pipeline.id})`);
  const where = `stage '${stage.stageLabel}' (${stage.stageId}) of pipeline '${pipeline.label}'`;

  let phase: TriggerPhase | null = null;
  if (matchingStageIds(trigger.stage, pipeline).includes(stage.stageId)) phase = 'closed';
  else if (mapping.prepare && matchingStageIds(mapping.prepare.stage, pipeline).includes(stage.stageId)) phase = 'prepare';
  if (!phase) {
    const wanted = mapping.prepare ? `'${trigger.stage}' (or prepare '${mapping.prepare.stage}')` : `'${trigger.stage}'`;
    return no(`deal is in ${where}; mapping ${mapping.name} triggers on ${wanted}`);
  }

  const ctx = buildTemplateContext(deal);
  const failed = failedCondition(trigger.when, ctx);
  if (failed) return no(failed);
  if (trigger.sold && !ctx.line_items.some((li) => groupMatches(trigger.sold!, li))) {
    return no(`condition not met: no line item sold matches ${JSON.stringify(trigger.sold)}`);
  }
  return { phase, reason: `deal is in ${where}: ${phase === 'closed' ? 'trigger' : 'prepare'} stage of mapping ${mapping.name}` };
}
