// What the HTTP side reads of this process's dependencies (Redis, the store): the latest state, kept fresh
// by src/runtime/health-monitor.ts so the webhook path can refuse (503) without a round trip, and a check
// on demand for /readyz.
export interface HealthState {
  redis: boolean;
  store: boolean;
  checkedAt: number;
}

export interface HealthSignal {
  readonly current: HealthState;
  check(): Promise<HealthState>;
}
