// `baton validate --live`: each connected system checks what a mapping needs of it (fields, projects, channels,
// people) before the first deal arrives. Connectors implement these (HubSpot's hubspotPreflight, the Jira and
// Asana work tools' and the Slack chat's preflight); src/runtime/build-preflight.ts builds them from the
// credentials; src/preflight turns mappings into the requests.

/** One finding, with what to change. */
export interface PreflightProblem {
  problem: string;
  fix: string;
}

export interface CrmPreflightRequest {
  mapping: string;
  /** Deal property internal names the mapping reads. */
  dealProperties: string[];
  /** Pipeline id or label the trigger names (absent: any pipeline). */
  pipeline?: string;
  /** Stage ids or labels (the trigger's and prepare's); `won` means any closed-won stage. */
  stages: string[];
}

export interface WorkToolPreflightRequest {
  mapping: string;
  /** The mapping's work.project. */
  project: string;
  /** Field ids the mapping's tasks set (e.g. Jira's customfield_10020). */
  fields: string[];
  /** The people's emails the mapping resolves to. */
  emails: string[];
}

export interface ChatPreflightRequest {
  channels: string[];
  emails: string[];
}

export interface CrmPreflight {
  preflight(req: CrmPreflightRequest): Promise<PreflightProblem[]>;
}
export interface WorkToolPreflight {
  preflight(req: WorkToolPreflightRequest): Promise<PreflightProblem[]>;
}
export interface ChatPreflight {
  preflight(req: ChatPreflightRequest): Promise<PreflightProblem[]>;
}

/** Each role's checks; null where the system has no credentials (it runs in dry-run: reported as skipped). */
export interface PreflightPorts {
  crm: CrmPreflight | null;
  workTools: Record<'jira' | 'asana', WorkToolPreflight | null>;
  chat: ChatPreflight | null;
}
