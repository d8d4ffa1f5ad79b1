/**
 * A regression scenario from a live incident: the slice of recorded traffic around it, and a truth.json that says
 * what stormcell made of that traffic, so the storm that hurt users becomes a scenario the eval gate scores
 * (`stormcell eval`, test/scenarios/README.md). Pure: lines come in as an iterable, files are the caller's.
 *
 * How an operator reviews the exported truth.json (the scenario's README.md says the same): the first incident is
 * the exported one, as stormcell formed it; the others are incidents whose alerts also fall in the slice. The
 * truth must say what an SRE would draw, not what stormcell did, so check that
 * - each incident's `alerts` are the alerts of one fault: move an alert that belonged elsewhere, and drop an alert
 *   that was noise from every incident (an alert in no incident scores as a singleton);
 * - `rootCause` is the topology entity that failed first, or absent when the cause is no entity of topology.yaml;
 * - `deploys` lists only causal deploys (a benign deploy or a rollback never is);
 * - `tickets` lists tickets filed about that fault, and `unlinkedTickets` those about nothing in the slice.
 * Every edit that makes the truth right and stormcell wrong is a regression the eval gate will now hold.
 */
import { InputError } from '../errors.js';
import { parseCaptureLine } from '../ingest/index.js';
import type { IncidentDoc, Instant, TimelineEntry } from '../model/index.js';
import { formatInstant } from '../model/index.js';
import { normalize } from '../normalize/index.js';

/** The capture lines an export takes: `from <= ts <= to`, both inclusive. */
export interface ExportWindow {
  readonly from: Instant;
  /** Infinity for an incident still open: everything up to the end of the recording. */
  readonly to: Instant;
}

/**
 * When the incident's first alert arrived: the earliest `alert-attached` entry of its timeline (a merged
 * incident's entries included), which the engine notes at receive time. `openedAt` is no substitute when a
 * timeline exists: it is the sender's `startsAt`, which for an alert firing since days lies days before the storm.
 */
export function firstAlertArrival(incident: IncidentDoc & { readonly timeline?: readonly TimelineEntry[] }, parse: (s: string) => Instant): Instant {
  let first = Infinity;
  for (const t of incident.timeline ?? []) if (t.type === 'alert-attached') first = Math.min(first, parse(t.at));
  return first === Infinity ? parse(incident.openedAt) : first;
}

/**
 * The window of an incident: from `marginMs` before its first alert arrived (or before its earliest suspected
 * deploy, which may precede the first alert by more than the margin) to `marginMs` after it resolved, or to the
 * end of the recording while it is open.
 */
export function exportWindow(incident: IncidentDoc & { readonly timeline?: readonly TimelineEntry[] }, marginMs: number, parse: (s: string) => Instant): ExportWindow {
  let from = firstAlertArrival(incident, parse);
  for (const d of incident.suspectedDeploys) from = Math.min(from, parse(d.at));
  const to = incident.resolvedAt === null ? Infinity : parse(incident.resolvedAt) + marginMs;
  return { from: from - marginMs, to };
}

/** What a slice of traffic holds, as the receivers read it. */
export interface SliceContents {
  /** Fingerprints of the alerts received in the slice. */
  readonly alerts: ReadonlySet<string>;
  /** Ticket ids (Jira keys, generic ids) received in the slice. */
  readonly tickets: ReadonlySet<string>;
  /** Deploys received in the slice, as `service@version`. */
  readonly deploys: ReadonlySet<string>;
}

/** A slice of capture lines, ready to write as `capture.ndjson`. */
export interface CaptureSlice extends SliceContents {
  readonly window: ExportWindow;
  /** The lines, unchanged, in delivery order, each without its newline. */
  readonly lines: readonly string[];
  /** The `ts` of the first line of the source, or null for an empty source. */
  readonly sourceFirstTs: Instant | null;
  /** Lines whose body the receivers would refuse (replay refuses them too): kept, but they carry no events. */
  readonly refused: number;
}

/**
 * Cuts an incident's slice out of a capture. `source` is called twice: the first pass finds the earliest line of
 * a ticket linked to the incident within the window's end, since a ticket filed before the first alert belongs to
 * the story and widens the window back to it; the second pass keeps the lines in the window. Throws InputError
 * (from parseCaptureLine, naming `where`) for a line that is not a capture line.
 */
export async function sliceCapture(
  source: () => AsyncIterable<string>,
  where: string,
  incident: IncidentDoc,
  window: ExportWindow,
): Promise<CaptureSlice> {
  const linked = new Set(incident.tickets);
  let from = window.from;
  let sourceFirstTs: Instant | null = null;
  let n = 0;
  for await (const line of source()) {
    n++;
    if (line.trim() === '') continue;
    const rec = parseCaptureLine(line, `${where}:${n}`);
    sourceFirstTs ??= rec.ts;
    if (rec.ts > window.to || rec.ts >= from || linked.size === 0) continue;
    for (const ev of eventsOf(rec) ?? []) if (ev.kind === 'ticket' && linked.has(ev.id)) from = Math.min(from, rec.ts);
  }
  const lines: string[] = [];
  const alerts = new Set<string>();
  const tickets = new Set<string>();
  const deploys = new Set<string>();
  let refused = 0;
  n = 0;
  for await (const line of source()) {
    n++;
    if (line.trim() === '') continue;
    const rec = parseCaptureLine(line, `${where}:${n}`);
    if (rec.ts < from || rec.ts > window.to) continue;
    lines.push(line);
    const events = eventsOf(rec);
    if (events === null) refused++;
    for (const ev of events ?? []) {
      if (ev.kind === 'alert') alerts.add(ev.fingerprint);
      else if (ev.kind === 'ticket') tickets.add(ev.id);
      else if (ev.kind === 'deploy') deploys.add(deployKey(ev));
    }
  }
  return { window: { from, to: window.to }, lines, sourceFirstTs, refused, alerts, tickets, deploys };
}

function eventsOf(rec: ReturnType<typeof parseCaptureLine>): ReturnType<typeof normalize> | null {
  try {
    return normalize(rec.path, rec.body, rec.ts);
  } catch (err) {
    // A body the receivers refuse carries nothing; replay refuses it the same way, so it stays in the slice.
    if (err instanceof InputError) return null;
    throw err;
  }
}

function deployKey(d: { service: string; version: string }): string {
  return `${d.service}@${d.version}`;
}

/** One incident of an exported truth.json, in the schema of src/eval/truth.ts. */
export interface ExportedTruthIncident {
  id: string;
  alerts: string[];
  rootCause?: string;
  deploys?: Array<{ service: string; version: string }>;
  tickets?: string[];
}

/** An exported truth.json. */
export interface ExportedTruth {
  incidents: ExportedTruthIncident[];
  unlinkedTickets?: string[];
}

/**
 * The truth of a slice, as stormcell formed its incidents: the exported incident first, then every other incident
 * with alerts in the slice (oldest first), each with its received alerts that are in the slice (burn alerts are
 * stormcell's own, never truth), its root cause when it is an entity of the exported topology, its top suspected
 * deploy when that deploy is in the slice, and its tickets in the slice. Tickets of the slice that no incident
 * links are listed as unlinked. An alert or ticket goes to the first incident that claims it.
 * Returns null when the exported incident has no received alert in the slice (nothing to score).
 */
export function toScenarioTruth(
  target: IncidentDoc,
  others: readonly IncidentDoc[],
  slice: SliceContents,
  entities: ReadonlySet<string>,
): ExportedTruth | null {
  const claimedAlerts = new Set<string>();
  const claimedTickets = new Set<string>();
  const incidents: ExportedTruthIncident[] = [];
  const rest = others.filter((o) => o.id !== target.id).sort((a, b) => (a.openedAt < b.openedAt ? -1 : a.openedAt > b.openedAt ? 1 : a.id < b.id ? -1 : 1));
  for (const inc of [target, ...rest]) {
    const alerts = inc.alerts
      .filter((a) => a.origin !== 'slo' && slice.alerts.has(a.fingerprint) && !claimedAlerts.has(a.fingerprint))
      .map((a) => a.fingerprint)
      .sort();
    if (alerts.length === 0) {
      if (inc === target) return null;
      continue;
    }
    for (const fp of alerts) claimedAlerts.add(fp);
    const out: ExportedTruthIncident = { id: inc.id, alerts };
    if (inc.rootCause !== null && entities.has(inc.rootCause.entity)) out.rootCause = inc.rootCause.entity;
    const top = inc.suspectedDeploys[0];
    if (top !== undefined && slice.deploys.has(deployKey(top))) out.deploys = [{ service: top.service, version: top.version }];
    const tickets = [...new Set(inc.tickets)].filter((t) => slice.tickets.has(t) && !claimedTickets.has(t));
    for (const t of tickets) claimedTickets.add(t);
    if (tickets.length > 0) out.tickets = tickets;
    incidents.push(out);
  }
  const linkedAnywhere = new Set([...others, target].flatMap((i) => i.tickets));
  const unlinked = [...slice.tickets].filter((t) => !linkedAnywhere.has(t)).sort();
  return unlinked.length === 0 ? { incidents } : { incidents, unlinkedTickets: unlinked };
}

/** The README.md written beside an exported scenario: where it came from, and how to review its truth. */
export function scenarioReadme(opts: {
  readonly incident: IncidentDoc;
  readonly source: string;
  readonly window: ExportWindow;
  readonly lines: number;
  readonly truth: ExportedTruth;
  readonly now: Instant;
}): string {
  const { incident: inc, window: w } = opts;
  const to = w.to === Infinity ? 'the end of the recording (the incident was still open)' : formatInstant(w.to);
  return [
    `# Regression scenario: ${inc.title.replace(/\s*[\r\n]+\s*/g, ' ')}`,
    '',
    `Exported by \`stormcell scenario export ${inc.id}\` at ${formatInstant(opts.now)} from ${opts.source}: ` +
      `${opts.lines} requests received from ${formatInstant(w.from)} to ${to}.`,
    '',
    '- `capture.ndjson`: the requests as they arrived (CONTRACT §2).',
    '- `config/`: the server\'s topology, SLOs, pipeline and stormcell.yaml (routing.yaml stays behind: eval does not route).',
    `- \`truth.json\`: ${opts.truth.incidents.length} incident(s) as stormcell formed them live; \`${inc.id}\` first.`,
    '',
    '## Review truth.json before committing',
    '',
    'It says what stormcell did, not yet what an SRE would draw. Make it the latter:',
    '',
    '- each incident\'s `alerts` are the alerts of one fault (move misplaced ones; drop noise from every incident);',
    '- `rootCause` is the topology entity that failed first, or absent when the cause is no entity;',
    '- `deploys` lists causal deploys only (never a benign deploy or a rollback);',
    '- `tickets` are tickets filed about that fault; `unlinkedTickets` are about nothing in this capture.',
    '',
    'Then `stormcell eval` on the corpus holding this directory scores it; a correction that stormcell gets wrong',
    'is a regression the eval gate now holds. Alerts that fired before the window began may be missing their',
    'first sends, and SLO burn alerts need the SLI history before the window: neither is scored here.',
    '',
  ].join('\n');
}
