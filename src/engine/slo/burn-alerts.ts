/** One burn-rate window: its Prometheus duration string (the output key) and length. */
export interface BurnWindow {
  readonly key: string;
  readonly ms: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** The windows whose burn rates are recorded, shortest first; the SLO period comes after them (index 7). */
export const BURN_WINDOWS: readonly BurnWindow[] = [
  { key: '5m', ms: 5 * MINUTE_MS },
  { key: '30m', ms: 30 * MINUTE_MS },
  { key: '1h', ms: HOUR_MS },
  { key: '2h', ms: 2 * HOUR_MS },
  { key: '6h', ms: 6 * HOUR_MS },
  { key: '1d', ms: DAY_MS },
  { key: '3d', ms: 3 * DAY_MS },
];

/** Index of the SLO period's window, after {@link BURN_WINDOWS}. */
export const PERIOD_INDEX = BURN_WINDOWS.length;

/** The longest alert window (3d): the minute ring covers exactly this much. */
export const LONGEST_WINDOW_MS = 3 * DAY_MS;

/** The SLO period the workbook's factors are written for; other periods scale them (as Sloth does). */
export const REFERENCE_PERIOD_MS = 30 * DAY_MS;

/** Rules are evaluated every 60 s of event time, aligned to the Unix epoch, as Prometheus evaluates rule groups. */
export const EVALUATION_INTERVAL_MS = MINUTE_MS;

/** A multiwindow, multi-burn-rate alert of the Google SRE Workbook, with its factor for a 30d period. */
export interface BurnRule {
  readonly severity: 'page' | 'ticket';
  readonly longWindow: string;
  readonly shortWindow: string;
  /** Indexes into {@link BURN_WINDOWS}. */
  readonly longIndex: number;
  readonly shortIndex: number;
  readonly factor30d: number;
}

function rule(severity: 'page' | 'ticket', longWindow: string, shortWindow: string, factor30d: number): BurnRule {
  const longIndex = BURN_WINDOWS.findIndex((w) => w.key === longWindow);
  const shortIndex = BURN_WINDOWS.findIndex((w) => w.key === shortWindow);
  return { severity, longWindow, shortWindow, longIndex, shortIndex, factor30d };
}

/**
 * The four workbook alerts in rule order (transitions and docs list them in this order): an alert fires at a grid
 * point iff the burn rate of both its long and its short window exceeds the factor.
 */
export const BURN_RULES: readonly BurnRule[] = [
  rule('page', '1h', '5m', 14.4),
  rule('page', '6h', '30m', 6),
  rule('ticket', '1d', '2h', 3),
  rule('ticket', '3d', '6h', 1),
];

/**
 * A rule's factor for an SLO period. The workbook's factors spend a fixed share of a 30d budget (2 % in 1h, 5 % in 6h,
 * 10 % in 1d and 3d); for another period the same share is spent at `factor × period / 30d` (Sloth: 13.44 for 28d).
 * A 30d period keeps the factor bit for bit.
 */
export function scaleFactor(factor30d: number, periodMs: number): number {
  return periodMs === REFERENCE_PERIOD_MS ? factor30d : factor30d * (periodMs / REFERENCE_PERIOD_MS);
}

/**
 * The error budget as a fraction: `1 - objective/100`, rounded to 12 significant digits so that 99.9 gives exactly the
 * 0.001 an operator writes in a recording rule (the float subtraction alone gives 0.000999999999999943).
 */
export function errorBudgetOf(objectivePercent: number): number {
  return Number(((100 - objectivePercent) / 100).toPrecision(12));
}
