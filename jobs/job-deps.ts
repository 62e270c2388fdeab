// What every processor needs, built once per process by src/runtime.
import type { BatonConfig } from '../src/config/read-env-options.js';
import type { Logger } from '../src/log/create-logger.js';
import type { Store } from '../src/store/database.js';
import type { BatonQueues } from '../src/queue/queues.js';
import type { LoadedMapping } from '../src/mapping/load-mappings.js';
import type { Metrics } from '../src/observability/metrics.js';
import type { RunLeases } from './run-lease.js';
import type { RunFencing } from '../src/handoff/fence-ports.js';
import type { ConnectorRegistry } from '../src/handoff/connector-registry.js';

/** Moments inside a handoff step: `first-save` as a connector records its first created object, `after-call` once the call returned and before the step is marked done. */
export type StepPoint = 'first-save' | 'after-call';

export interface JobDeps {
  config: BatonConfig;
  logger: Logger;
  store: Store;
  queues: BatonQueues;
  /** The mappings currently loaded (valid ones only). */
  mappings: () => LoadedMapping[];
  /** The CRM, work tool and client channel of a handoff, and the team chat, looked up by name (src/runtime/build-connectors.ts). */
  connectors: ConnectorRegistry;
  now: () => Date;
  /** Prometheus counters (absent in tests that build deps by hand). */
  metrics?: Metrics;
  /** One run per handoff at a time (jobs/run-lease.ts); absent in tests that build deps by hand. */
  leases?: RunLeases;
  /** Sets a run's fence, which every live connector request passes (connectors/common/run-fence.ts). */
  fencing: RunFencing;
  /**
   * Called at each StepPoint of a handoff step. Unset in production; the crash tests set it to SIGKILL the worker
   * there (test/helpers/crash-worker.ts), to prove a crash between an API call and its record loses nothing.
   */
  onStepPoint?: (at: { handoffId: string; stepId: string; point: StepPoint }) => void | Promise<void>;
}
