/**
 * A circuit breaker for one integration of one receiver: after `failureThreshold` consecutive retryable failures it
 * opens and no attempt starts for `cooldownMs`; then one probe goes out (half-open); its success closes the breaker,
 * its failure opens it for another cooldown. Time is passed in, never read (STYLE §G5).
 *
 * Only retryable outcomes (429, 5xx, network, timeouts) count as failures: a 4xx proves the remote is up.
 * Imports nothing, so the outbox can be transpiled alone for the crash test.
 */
/** Where a breaker is: letting attempts through, blocking them, or letting one probe through. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Breaker settings. */
export interface BreakerOptions {
  /** Consecutive retryable failures that open the breaker; at least 1. */
  readonly failureThreshold: number;
  /** How long an open breaker blocks attempts before letting one probe through. */
  readonly cooldownMs: number;
}

/** One breaker; the outbox keeps one per receiver integration. Not persisted: a restart starts closed. */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openUntil = 0;
  private probing = false;

  constructor(private readonly opts: BreakerOptions) {}

  /** The state as of the last call; an open breaker whose cooldown passed reports `half-open` only once asked to attempt. */
  get state(): BreakerState {
    return this.current;
  }

  /** Whether an attempt may start at `now`. Moves an open breaker whose cooldown is over to half-open. */
  canAttempt(now: number): boolean {
    if (this.current === 'open' && now >= this.openUntil) {
      this.current = 'half-open';
      this.probing = false;
    }
    if (this.current === 'closed') return true;
    return this.current === 'half-open' && !this.probing;
  }

  /** Records that an attempt started; in half-open state it is the one probe. */
  onAttempt(): void {
    if (this.current === 'half-open') this.probing = true;
  }

  /** When an attempt that {@link canAttempt} refused could start: the end of the cooldown, or never while a probe is out. */
  wakeAt(): number {
    return this.current === 'open' ? this.openUntil : Number.POSITIVE_INFINITY;
  }

  /** The remote answered (sent, or a non-retryable 4xx): close. */
  onSuccess(): void {
    this.current = 'closed';
    this.failures = 0;
    this.probing = false;
  }

  /** A retryable failure at `now`: count it; a failed probe or the threshold opens the breaker. */
  onFailure(now: number): void {
    if (this.current === 'open') return; // an attempt started before the breaker opened; the cooldown stands
    this.failures++;
    if (this.current === 'half-open' || this.failures >= this.opts.failureThreshold) {
      this.current = 'open';
      this.openUntil = now + this.opts.cooldownMs;
      this.probing = false;
    }
  }

  /** An attempt ended without telling anything about the remote (a bug, a shutdown): free the probe slot. */
  onNeutral(): void {
    this.probing = false;
  }
}
