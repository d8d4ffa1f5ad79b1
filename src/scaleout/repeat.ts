/**
 * An async job run every `everyMs`, never two at once: a run still going when the next is due is not doubled, the
 * next tick tries again. Every stage's timer work (heartbeats, ticks, flushes) is one.
 */
export class Repeat {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  /** `onError`: a failed run's error (the next run goes ahead regardless). */
  constructor(
    private readonly job: () => Promise<void>,
    private readonly everyMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.running === null) this.running = this.job().catch(this.onError).finally(() => (this.running = null));
    }, this.everyMs);
    this.timer.unref();
  }

  /** Ends the timer and waits for the run under way. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
