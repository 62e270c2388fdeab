export { createSlackChat, DM_EVENT_TYPE, INTRO_EVENT_TYPE, type SlackChat, type SlackOptions } from './slack-chat.js';
export { classifySlackError } from './classify-error.js';
export type { PreflightProblem } from './slack-preflight.js';
