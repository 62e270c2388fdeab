// What the dashboard needs from the server, in a module of its own so the router, the JSON API and the
// admin view can all name it without importing each other (they used to go round in a circle).
import type { Redis } from 'ioredis';
import type { BatonConfig } from '../config/read-env-options.js';
import type { Logger } from '../log/create-logger.js';
import type { Store } from '../store/database.js';
import type { BatonQueues } from '../queue/queues.js';
import type { LoadedMapping, MappingError } from '../mapping/load-mappings.js';
import type { Connectors } from '../runtime/build-connectors.js';
import type { PayloadEvents } from '../handoff/deal-file.js';
import type { AuthProvider } from './auth/auth-provider.js';
import type { LoginLimits } from './auth/login-rate-limit.js';
import type { ResumeStoppedHandoff } from './admin/retry-step.js';

export interface DashboardDeps {
  config: BatonConfig;
  logger: Logger;
  store: Store;
  queues: BatonQueues;
  redis: Redis;
  mappings: () => LoadedMapping[];
  mappingErrors: () => MappingError[];
  connectors: Pick<Connectors, 'crm' | 'workTools' | 'chat' | 'crmWriter' | 'breaker'>;
  /** The CRM's webhook parser, for a payload pasted into the admin preview. */
  crmPayloadEvents: PayloadEvents;
  /** An admin's Retry on a stopped handoff resumes it (wired by src/runtime to jobs/resume-handoff.ts). */
  resumeHandoff: ResumeStoppedHandoff;
  now?: () => Date;
  /** Default: passwords from BATON_USERS. An OIDC provider is added here. */
  providers?: AuthProvider[];
  loginLimits?: LoginLimits;
}
