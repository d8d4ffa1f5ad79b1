/**
 * One SLO as the burn-rate engine needs it. `period` is the configured Prometheus duration string, used as the output
 * key of the period's burn rate; `periodMs` is the same duration in milliseconds.
 */
export interface SloSpec {
  readonly name: string;
  /** Percent of good events, e.g. 99.9. */
  readonly objective: number;
  readonly periodMs: number;
  /** As configured, e.g. "30d". */
  readonly period: string;
  /** `prometheus` (default): rate() with Prometheus 2.42's extrapolation; `exact`: every received delta counts. */
  readonly semantics?: 'prometheus' | 'exact';
  /** Default true: evaluate the two page alerts (1h/5m, 6h/30m). */
  readonly pageAlerts?: boolean;
  /** Default true: evaluate the two ticket alerts (1d/2h, 3d/6h). */
  readonly ticketAlerts?: boolean;
}

/**
 * Checks what the engine relies on and the config schema does not promise: a period that is a whole, positive number
 * of minutes (window starts then sit on the minute grid, which is what makes the minute ring exact) and an objective
 * strictly between 0 and 100. Throws RangeError: a bad spec reaching the engine is a bug in config validation.
 */
export function checkSloSpec(spec: SloSpec): void {
  if (!(spec.periodMs > 0) || spec.periodMs % 60_000 !== 0) {
    throw new RangeError(`SLO ${JSON.stringify(spec.name)}: period ${spec.period} must be a positive whole number of minutes`);
  }
  if (!(spec.objective > 0 && spec.objective < 100)) {
    throw new RangeError(`SLO ${JSON.stringify(spec.name)}: objective ${spec.objective} must lie strictly between 0 and 100`);
  }
}
