/**
 * The wait between failed attempts: starts at initialMs, doubles after each wait up to maxMs,
 * back to initialMs after a success. wakeUp() ends a wait early (stop(), or the broker is back).
 */
export class RetryBackoff {
  private currentMs: number;
  private wake: (() => void) | undefined;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {
    this.currentMs = initialMs;
  }

  /** How long the next wait() lasts. */
  get delayMs(): number {
    return this.currentMs;
  }

  reset(): void {
    this.currentMs = this.initialMs;
  }

  async wait(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.currentMs);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
    this.currentMs = Math.min(this.currentMs * 2, this.maxMs);
  }

  wakeUp(): void {
    this.wake?.();
  }
}
