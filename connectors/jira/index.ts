// The Jira connector's public surface: the WorkToolConnector (with preflight) and its error classifier.
export { createJiraWorkTool } from './jira-work-tool.js';
export type { JiraOptions, JiraPreflightRequest, JiraWorkTool } from './jira-work-tool.js';
export { classifyJiraError, CONNECTOR as JIRA_CONNECTOR } from './classify-error.js';
export { handoffLabel, taskLabel, ENTITY_PROPERTY_KEY } from './markers.js';
export { JIRA_LIMIT_KEY } from './jira-client.js';
