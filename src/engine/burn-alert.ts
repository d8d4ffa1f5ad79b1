import type { AlertEvent, LabelSet, Severity } from '../model/index.js';
import { fingerprint } from '../model/index.js';
import type { EngineSlo } from './options.js';
import type { SloTransition } from './slo/index.js';

/** The alertname of burn alerts, as Pyrra names its multiwindow, multi-burn-rate alerts. */
export const BURN_ALERTNAME = 'ErrorBudgetBurn';

/**
 * A burn-rate alert firing or resolving, as an alert event the engine places like any other: labels as Pyrra's
 * `ErrorBudgetBurn` alerts carry them (`slo`, `long`, `short`, `severity` critical for page and warning for ticket)
 * over the SLO's own labels, and annotations that say how fast and how much budget is left. It never times out:
 * only its resolving evaluation ends it.
 */
export function toBurnAlert(t: SloTransition, slo: EngineSlo): AlertEvent {
  const labels: LabelSet = {
    ...slo.labels,
    alertname: BURN_ALERTNAME,
    slo: slo.name,
    long: t.longWindow,
    short: t.shortWindow,
    severity: t.severity === 'page' ? 'critical' : 'warning',
  };
  return {
    kind: 'alert',
    at: t.at,
    source: 'slo',
    fingerprint: fingerprint(labels),
    labels,
    annotations: {
      summary: `SLO ${slo.name} is burning its error budget too fast`,
      description: describeBurn(t),
    },
    startsAt: t.at,
    endsAt: t.change === 'resolved' ? t.at : null,
  };
}

/**
 * The incident severity a burn alert stands for: the fast page (1h/5m) is sev1, the slow page sev2, tickets sev3.
 * Burn alerts do not go through the severity label map: a team's map is about its own alerts' labels.
 */
export function burnSeverity(labels: LabelSet): Severity {
  if (labels['severity'] !== 'critical') return 'sev3';
  return labels['long'] === '1h' ? 'sev1' : 'sev2';
}

/** One line for timelines: `20.1× over 1h and 19.8× over 5m (page above 14.4×); 83.5 % of the error budget left`. */
export function describeBurn(t: SloTransition): string {
  const rate = (x: number | null): string => (x === null ? 'no value' : `${x.toFixed(1)}×`);
  const budget = t.errorBudgetRemaining === null ? 'error budget unknown' : `${(t.errorBudgetRemaining * 100).toFixed(1)} % of the error budget left`;
  const verb = t.change === 'fired' ? 'burning' : 'back under';
  return `${verb} ${rate(t.burnRates.long)} over ${t.longWindow} and ${rate(t.burnRates.short)} over ${t.shortWindow} ` +
    `(${t.severity} above ${round(t.factor)}×); ${budget}`;
}

function round(x: number): string {
  return String(Math.round(x * 100) / 100);
}
