import type { LabelSet, Severity } from '../model/index.js';
import type { SeverityOptions } from './options.js';

/** The severity rank (see `severityRank`) of informational alerts, sev4: they explain and bridge nothing. */
export const INFO_RANK = 4;

/** The incident severity one alert asks for, from its severity label. */
export function toSeverity(labels: LabelSet, opts: SeverityOptions): Severity {
  const v = labels[opts.label];
  // Own properties only: a label value such as `constructor` must not find Object.prototype's.
  if (v === undefined || !Object.hasOwn(opts.map, v)) return opts.default;
  return opts.map[v] as Severity;
}
