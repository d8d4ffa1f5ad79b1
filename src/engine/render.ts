import type { AlertStateDoc, IncidentDoc, TimelineEntry } from '../model/index.js';
import { formatInstant, renderLabels, severityRank } from '../model/index.js';
import type { AlertRecord } from './alert-store.js';
import type { IncidentRecord } from './incident-store.js';
import type { SeverityOptions } from './options.js';
import { toSeverity } from './severity.js';

/** An incident as CONTRACT §5 prints it. Pure; the same records always give the same document. */
export function toIncidentDoc(
  inc: IncidentRecord,
  alerts: ReadonlyMap<string, AlertRecord>,
  severity: SeverityOptions,
): IncidentDoc {
  const records = inc.alerts.map((fp) => alerts.get(fp) as AlertRecord);
  return {
    id: inc.id,
    title: titleOf(inc, records, severity),
    severity: inc.severity,
    status: inc.status,
    openedAt: formatInstant(inc.openedAt),
    resolvedAt: inc.resolvedAt === null ? null : formatInstant(inc.resolvedAt),
    alerts: records.map((a) => (a.source === 'slo' ? { fingerprint: a.fingerprint, labels: a.labels, origin: 'slo' as const } : { fingerprint: a.fingerprint, labels: a.labels })),
    tickets: [...inc.tickets],
    suspectedDeploys: inc.suspectedDeploys.map((d) => ({
      service: d.service,
      version: d.version,
      at: formatInstant(d.at),
      score: d.score,
      reason: d.reason,
    })),
    rootCause: inc.rootCause === null ? null : { ...inc.rootCause },
    ...(inc.acknowledged == null ? {} : { acknowledged: { by: inc.acknowledged.by, at: formatInstant(inc.acknowledged.at) } }),
    ...(inc.resolvedBy == null ? {} : { resolvedBy: { by: inc.resolvedBy.by, at: formatInstant(inc.resolvedBy.at) } }),
  };
}

/** An alert's entity, status and times as the console shows them beside its incident. */
export function toAlertState(a: AlertRecord): AlertStateDoc {
  const summary = a.annotations['summary'] ?? a.annotations['description'];
  return {
    fingerprint: a.fingerprint,
    entity: a.entity,
    status: a.status,
    startsAt: formatInstant(a.startsAt),
    endsAt: a.endsAt === null ? null : formatInstant(a.endsAt),
    ...(summary === undefined ? {} : { summary }),
  };
}

/** The incident's timeline with RFC 3339 times, oldest first. */
export function toTimeline(inc: IncidentRecord): TimelineEntry[] {
  return inc.timeline.map((t) => ({ ...t, at: formatInstant(t.at) }));
}

/**
 * "<alertname> on <where>" of the worst, earliest alert, plus how many others there are: what an on-call
 * engineer reads first in a page.
 */
function titleOf(inc: IncidentRecord, records: readonly AlertRecord[], severity: SeverityOptions): string {
  let primary: AlertRecord | undefined;
  for (const a of records) {
    if (primary === undefined) {
      primary = a;
      continue;
    }
    const d = severityRank(toSeverity(a.labels, severity)) - severityRank(toSeverity(primary.labels, severity));
    if (d < 0 || (d === 0 && a.startsAt < primary.startsAt)) primary = a;
  }
  if (primary === undefined) return 'incident';
  const name = primary.labels['alertname'] ?? renderLabels(primary.labels);
  const where = primary.entity ?? inc.rootCause?.entity ?? whereFromLabels(primary);
  const more = records.length > 1 ? ` (+${records.length - 1} more)` : '';
  return `${name}${where === '' ? '' : ` on ${where}`}${more}`;
}

function whereFromLabels(a: AlertRecord): string {
  const parts: string[] = [];
  for (const l of ['cluster', 'namespace', 'service', 'app', 'instance']) {
    const v = a.labels[l];
    if (v !== undefined) parts.push(v);
  }
  return parts.join('/');
}
