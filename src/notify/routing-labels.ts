import type { IncidentDoc, LabelSet } from '../model/index.js';
import { fingerprint } from '../model/index.js';

/**
 * The label set routing, inhibition and silences see for an incident: the labels all its alerts share (as
 * Alertmanager's `commonLabels`), with `severity` replaced by the incident's (sev1–sev4), `status` (firing or
 * resolved) and `incident` (its id, so a silence can name one incident). Matchers on an alert severity such as
 * `severity="critical"` therefore do not match: route on sev1–sev4.
 */
export function routingLabels(inc: IncidentDoc): LabelSet {
  const out: Record<string, string> = {};
  const [first, ...rest] = inc.alerts;
  if (first !== undefined) {
    for (const [k, v] of Object.entries(first.labels)) if (rest.every((a) => a.labels[k] === v)) out[k] = v;
  }
  out['severity'] = inc.severity;
  out['status'] = inc.status === 'open' ? 'firing' : 'resolved';
  out['incident'] = inc.id;
  return out;
}

/**
 * What a notification about the incident says, as a digest: status, severity, its alerts, root cause and top
 * suspect. Two views with one digest need no second notification; a new alert, a worse severity or a named cause
 * do. Titles are derived from these, so they need no place of their own.
 */
export function notificationDigest(inc: IncidentDoc): string {
  const top = inc.suspectedDeploys[0];
  return fingerprint({
    status: inc.status,
    severity: inc.severity,
    alerts: inc.alerts.map((a) => a.fingerprint).sort().join(','),
    rootCause: inc.rootCause?.entity ?? '',
    suspect: top === undefined ? '' : `${top.service} ${top.version}`,
    acknowledged: inc.acknowledged?.by ?? '',
  });
}
