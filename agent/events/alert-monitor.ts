/**
 * Re-evaluates alerts after something changed (a container event, a burst of beacons) and
 * publishes the ones that are new. Evaluation is throttled: during a flood of beacons it runs at
 * most once per interval, not once per beacon.
 */
import type { OpsAlert } from '../../shared/model/ops';

export class AlertMonitor {
  private active = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private evaluating = false;
  private again = false;
  private primed = false;

  constructor(
    private readonly evaluate: () => Promise<OpsAlert[]>,
    private readonly publish: (alert: OpsAlert) => void,
    private readonly intervalMs = 1_000,
  ) {}

  /** Asks for an evaluation soon; many calls within the interval make one. */
  poke(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Records the alerts already standing, so that a client that connects later is not told about them as new. */
  async prime(): Promise<void> {
    if (this.primed) return;
    this.primed = true;
    this.active = new Set((await this.evaluate().catch(() => [])).map((a) => a.id));
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async run(): Promise<void> {
    if (this.evaluating) {
      this.again = true;
      return;
    }
    this.evaluating = true;
    try {
      const alerts = await this.evaluate();
      const ids = new Set(alerts.map((a) => a.id));
      for (const alert of alerts) if (!this.active.has(alert.id)) this.publish(alert);
      this.active = ids;
    } catch {
      // Evaluation reads the same sources as /context; their errors show there.
    } finally {
      this.evaluating = false;
      if (this.again) {
        this.again = false;
        this.poke();
      }
    }
  }
}
