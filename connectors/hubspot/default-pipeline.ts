// HubSpot's built-in deal pipeline (FACTS 1d): what a portal has before anyone customises it, and what dry-run
// mode reports so mappings can be validated and previewed without credentials.
import type { CrmPipeline, CrmStage } from '../../src/handoff/ports.js';

const stage = (stageId: string, stageLabel: string, isClosed = false, isWon = false): CrmStage => ({
  pipelineId: 'default',
  pipelineLabel: 'Sales Pipeline',
  stageId,
  stageLabel,
  isClosed,
  isWon,
});

export const HUBSPOT_DEFAULT_PIPELINE: CrmPipeline = {
  id: 'default',
  label: 'Sales Pipeline',
  stages: [
    stage('appointmentscheduled', 'Appointment Scheduled'),
    stage('qualifiedtobuy', 'Qualified To Buy'),
    stage('presentationscheduled', 'Presentation Scheduled'),
    stage('decisionmakerboughtin', 'Decision Maker Bought-In'),
    stage('contractsent', 'Contract Sent'),
    stage('closedwon', 'Closed Won', true, true),
    stage('closedlost', 'Closed Lost', true, false),
  ],
};
