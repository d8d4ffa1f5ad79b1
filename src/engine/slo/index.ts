/**
 * The SLO burn-rate engine: multiwindow, multi-burn-rate burn rates from cumulative SLI counters, computed as
 * Prometheus 2.42 computes `rate()`, in bounded memory per SLO, with the Google SRE Workbook alerts decided on a 60 s
 * grid of event time. Deterministic: no clock, no I/O.
 */
export { SloBook } from './slo-book.js';
export type { SampleOutcome, SloBookState } from './slo-book.js';
export type { SloStatus, SloTransition } from './slo-series.js';
export type { BurnHistoryPoint, HistoryWindow, SloHistory } from './burn-history.js';
export { HISTORY_POINTS, HISTORY_STEP_MS, HISTORY_WINDOWS } from './burn-history.js';
export type { SloSpec } from './slo-spec.js';
export { BURN_RULES, BURN_WINDOWS, errorBudgetOf, scaleFactor } from './burn-alerts.js';
export type { BurnRule, BurnWindow } from './burn-alerts.js';
export { extrapolatedRate } from './prometheus-rate.js';
