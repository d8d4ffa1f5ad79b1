/**
 * SLO counting: SLI samples into the burn-rate book, burns out as alert events. The engine's SLO desk is one (and
 * adds where a burn alert belongs); Kafka mode's fold stage runs one per partition of SLOs, so that stage two gets
 * burns rather than samples.
 */
import type { AlertEvent, Instant, SliSample, SloDoc } from '../model/index.js';
import { toBurnAlert } from './burn-alert.js';
import type { EngineSlo } from './options.js';
import { SloBook, type SloBookState, type SloHistory, type SloTransition } from './slo/index.js';

/** One burn alert firing or resolving, with the evaluation that decided it. */
export interface Burn {
  readonly transition: SloTransition;
  readonly alert: AlertEvent;
}

export class SloCounter {
  private book: SloBook;
  private readonly byName: ReadonlyMap<string, EngineSlo>;

  constructor(private readonly slos: readonly EngineSlo[]) {
    this.book = new SloBook(slos);
    this.byName = new Map(slos.map((s) => [s.name, s]));
  }

  restore(state: SloBookState): void {
    this.book = SloBook.restore(this.slos, state);
  }

  toJSON(): SloBookState {
    return this.book.toJSON();
  }

  lastSamples(): Array<{ slo: string; at: Instant | null }> {
    return this.book.lastSamples();
  }

  docs(): SloDoc[] {
    return this.book.docs();
  }

  history(name: string, from: Instant, to: Instant): SloHistory | null {
    return this.book.history(name, from, to);
  }

  /**
   * Counts a sample into its SLO; false when it was dropped (no such SLO, or not after its SLO's last sample). A
   * sample stamped after it was received (a sender's clock ahead of ours) counts at its receive time: burn rates
   * must not see the future of the grid point being evaluated.
   */
  addSample(ev: SliSample): boolean {
    return this.book.addSample(ev.slo, Math.min(ev.sampleAt, ev.at), ev.good, ev.total) === 'accepted';
  }

  /** Evaluates every grid point up to `until`; each alert firing or resolving comes back as an alert event. */
  evaluate(until: Instant): Burn[] {
    return this.book.evaluateUntil(until).map((transition) => {
      const slo = this.byName.get(transition.slo);
      if (slo === undefined) throw new Error(`invariant: burn of unknown SLO ${transition.slo}`);
      return { transition, alert: toBurnAlert(transition, slo) };
    });
  }

  protected slo(name: string): EngineSlo | undefined {
    return this.byName.get(name);
  }
}
