// Keeps a fresh view of Redis and the store so the webhook path can refuse (503) without paying a
// round trip per request, and /readyz can answer with the latest truth.
import type { Redis } from 'ioredis';
import type { Logger } from '../log/create-logger.js';
import type { HealthSignal, HealthState } from '../observability/health-signal.js';

export class HealthMonitor implements HealthSignal {
  private state: HealthState = { redis: false, store: false, checkedAt: 0 };
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly pingStore: () => Promise<void>,
    private readonly logger: Logger,
    private readonly everyMs = 1_000,
  ) {}

  get current(): HealthState {
    return this.state;
  }

  async check(): Promise<HealthState> {
    const timeout = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), 1_500).unref())]);
    const [redis, store] = await Promise.all([
      timeout(this.redis.ping()).then(() => true, () => false),
      timeout(this.pingStore()).then(() => true, () => false),
    ]);
    if (redis !== this.state.redis || store !== this.state.store) {
      this.logger[redis && store ? 'info' : 'warn']({ redis, store }, 'dependency health changed');
    }
    this.state = { redis, store, checkedAt: Date.now() };
    return this.state;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
