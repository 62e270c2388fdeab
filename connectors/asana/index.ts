// The Asana connector's public surface: the live WorkToolConnector (with preflight) and its error classifier.
export { createAsanaWorkTool, MAX_DEPENDENCIES_PER_CALL } from './asana-work-tool.js';
export type { AsanaWorkTool, AsanaWorkToolOptions } from './asana-work-tool.js';
export type { AsanaPreflightRequest, PreflightProblem } from './asana-preflight.js';
export { parseWorkTarget } from './work-target.js';
export type { AsanaWorkTarget } from './work-target.js';
export { classifyAsanaError } from './classify-error.js';
