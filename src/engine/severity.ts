import type { LabelSet, Severity } from '../model/index.js';
import type { SeverityOptions } from './options.js';

/** The incident severity one alert asks for, from its severity label. */
export function toSeverity(labels: LabelSet, opts: SeverityOptions): Severity {
  const v = labels[opts.label];
  if (v === undefined) return opts.default;
  return opts.map[v] ?? opts.default;
}
