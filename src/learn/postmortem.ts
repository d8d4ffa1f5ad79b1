/**
 * A blameless postmortem draft in Markdown, rendered from what stormcell recorded about one incident: its document,
 * its timeline and the SLOs. Pure and deterministic: the same input gives the same bytes (the time it is written
 * is an input, never read here), so a test can pin it and a re-render after an edit of nothing changes nothing.
 */
import type { IncidentDoc, Instant, SloDoc, TimelineEntry } from '../model/index.js';
import { formatDuration, formatInstant, parseRfc3339 } from '../model/index.js';

/** What a postmortem is rendered from: `GET /api/v1/incidents/{id}`, `GET /api/v1/slos`, and when it is written. */
export interface PostmortemInput {
  readonly incident: IncidentDoc & { readonly timeline: readonly TimelineEntry[] };
  readonly slos: readonly SloDoc[];
  /** When the draft is written: it ends the duration of an incident still open and dates the draft. */
  readonly now: Instant;
}

/** Alerts past this count make the "which alerts helped" prompt worth asking. */
const NOISY_ALERTS = 10;
/** Acknowledging later than this after the incident opened gets its own prompt. */
const SLOW_ACK_MS = 5 * 60_000;
/** How many alert joins the evidence section quotes; the timeline table has them all. */
const EVIDENCE_JOINS = 5;

/** How burn entries on the timeline state the budget left (src/engine/burn-alert.ts); overspent budgets are negative. */
const BUDGET_LEFT = /(-?\d+(?:\.\d+)?) % of the error budget left/;

interface Facts {
  readonly inc: PostmortemInput['incident'];
  readonly opened: Instant;
  readonly end: Instant;
  readonly timeline: readonly (TimelineEntry & { readonly ms: Instant })[];
}

/**
 * Renders the postmortem: summary, impact, detection, mitigation, suspected cause and evidence, the timeline as a
 * table, and action-item prompts worded as questions about the system, never about people. Throws RangeError on
 * an incident or timeline time that is not RFC 3339, which the read API never produces (a bug, not input).
 */
export function renderPostmortem(input: PostmortemInput): string {
  const inc = input.incident;
  const opened = instant(inc.openedAt);
  const end = inc.resolvedAt === null ? input.now : instant(inc.resolvedAt);
  const timeline = inc.timeline
    .map((t, i) => ({ ...t, ms: instant(t.at), i }))
    .sort((a, b) => a.ms - b.ms || a.i - b.i);
  const f: Facts = { inc, opened, end, timeline };
  const sections = [
    `# Postmortem: ${inline(inc.title)}`,
    `_Blameless postmortem draft for incident \`${inc.id}\`, written ${formatInstant(input.now)} from stormcell's record of it. ` +
      'The facts below are what stormcell saw; correct them where people saw more, and answer the questions at the end in the review._',
    summary(f, input.now),
    impact(f, input.slos),
    detection(f),
    mitigation(f),
    cause(f),
    timelineTable(f),
    actionItems(f, input.slos),
  ];
  return sections.join('\n\n') + '\n';
}

function summary(f: Facts, now: Instant): string {
  const { inc } = f;
  const ack = inc.acknowledged === undefined ? 'nobody' : `${inline(inc.acknowledged.by)} at ${inc.acknowledged.at} (${since(f, instant(inc.acknowledged.at))} after opening)`;
  const status = inc.status === 'open' ? `open (still open at ${formatInstant(now)})` : 'resolved';
  return [
    '## Summary',
    '',
    '| | |',
    '|---|---|',
    `| What | ${cell(inc.title)} |`,
    `| Incident | \`${inc.id}\` |`,
    `| Severity | ${inc.severity} |`,
    `| Status | ${status} |`,
    `| Opened | ${inc.openedAt} |`,
    `| Resolved | ${inc.resolvedAt ?? '–'} |`,
    `| Duration | ${duration(f.end - f.opened)}${inc.status === 'open' ? ' so far' : ''} |`,
    `| Acknowledged by | ${cell(ack)} |`,
    ...(inc.resolvedBy === undefined ? [] : [`| Resolved by hand by | ${cell(`${inc.resolvedBy.by} at ${inc.resolvedBy.at}`)} |`]),
  ].join('\n');
}

function impact(f: Facts, slos: readonly SloDoc[]): string {
  const { inc } = f;
  const received = inc.alerts.filter((a) => a.origin !== 'slo');
  const burns = inc.alerts.length - received.length;
  const names = distinct(received.map((a) => a.labels['alertname'] ?? '(no alertname)'));
  const lines = ['## Impact', '', `- **Duration:** ${duration(f.end - f.opened)}${inc.status === 'open' ? ' so far' : ''}.`];
  lines.push(`- **Alerts:** ${received.length} received (${names.length} alertname${names.length === 1 ? '' : 's'}: ${names.map(code).join(', ') || '–'})` +
    (burns > 0 ? `, and ${burns} SLO burn alert${burns === 1 ? '' : 's'} stormcell raised.` : '.'));
  for (const label of ['service', 'namespace', 'cluster', 'node']) {
    const values = distinct(received.map((a) => a.labels[label]).filter((v): v is string => v !== undefined && v !== ''));
    if (values.length > 0) lines.push(`- **${label} affected** (\`${label}\` label of the alerts): ${values.map(code).join(', ')}.`);
  }
  const raised = [...f.timeline].reverse().find((t) => t.type === 'severity-raised');
  if (raised !== undefined) lines.push(`- **Entities:** ${inline(raised.message)} (${raised.at}).`);
  lines.push('', ...sloImpact(f, slos));
  lines.push('', ...ticketImpact(f));
  return lines.join('\n');
}

interface SloImpact {
  readonly slo: SloDoc;
  readonly overlapping: SloDoc['alerts'];
  /** Error budget left (0–1) per burn entry of this SLO on the incident's timeline, oldest first. */
  readonly budgets: readonly { readonly at: string; readonly left: number }[];
}

/** SLOs whose burn alerts are in the incident or fired while it was open. */
function slosHit(f: Facts, slos: readonly SloDoc[]): SloImpact[] {
  const burnSlo = new Map<string, string>();
  for (const a of f.inc.alerts) if (a.origin === 'slo' && a.labels['slo'] !== undefined) burnSlo.set(a.fingerprint, a.labels['slo']);
  const out: SloImpact[] = [];
  for (const slo of slos) {
    const overlapping = slo.alerts.filter((a) => instant(a.firedAt) <= f.end && (a.resolvedAt === null || instant(a.resolvedAt) >= f.opened));
    const budgets: Array<{ at: string; left: number }> = [];
    for (const t of f.timeline) {
      if (t.type !== 'slo-burn' && t.type !== 'slo-burn-resolved') continue;
      const mine = t.fingerprint !== undefined && burnSlo.has(t.fingerprint) ? burnSlo.get(t.fingerprint) === slo.name : t.message.includes(`SLO ${slo.name} `);
      const m = mine ? BUDGET_LEFT.exec(t.message) : null;
      if (m !== null) budgets.push({ at: t.at, left: Number(m[1]) / 100 });
    }
    const inIncident = [...burnSlo.values()].includes(slo.name);
    if (inIncident || overlapping.length > 0) out.push({ slo, overlapping, budgets });
  }
  return out;
}

function sloImpact(f: Facts, slos: readonly SloDoc[]): string[] {
  const hit = slosHit(f, slos);
  if (hit.length === 0) return ['- **SLOs:** no SLO burn alert fired while the incident was open.'];
  const rows = hit.map(({ slo, overlapping, budgets }) => {
    const first = budgets[0];
    const last = budgets[budgets.length - 1];
    const burned = first !== undefined && last !== undefined && budgets.length > 1 ? pp(first.left - last.left) : '–';
    const alerts = overlapping.map((a) => `${a.severity} ${a.longWindow}/${a.shortWindow} ${a.firedAt}${a.resolvedAt === null ? '' : ` – ${a.resolvedAt}`}`).join('; ');
    return `| ${cell(slo.name)} | ${slo.objective} % | ${cell(alerts || '–')} | ${first === undefined ? '–' : pct(first.left)} | ` +
      `${last === undefined || budgets.length < 2 ? '–' : pct(last.left)} | ${burned} | ${slo.errorBudgetRemaining === null ? '–' : pct(slo.errorBudgetRemaining)} |`;
  });
  return [
    '**SLO error budget** (budget left as each burn alert of the incident fired or resolved; "burned" is the first minus the last):',
    '',
    '| SLO | objective | burn alerts while open | budget left at first burn | at last burn entry | burned | left now |',
    '|---|---:|---|---:|---:|---:|---:|',
    ...rows,
  ];
}

function ticketImpact(f: Facts): string[] {
  if (f.inc.tickets.length === 0) return ['- **Tickets:** none linked.'];
  const linked = new Map<string, TimelineEntry>();
  for (const t of f.timeline) {
    const m = /ticket (\S+?): /.exec(t.message);
    if (t.type === 'ticket-linked' && m !== null && !linked.has(m[1] as string)) linked.set(m[1] as string, t);
  }
  return [`- **Tickets** (${f.inc.tickets.length}):`, ...f.inc.tickets.map((id) => {
    const t = linked.get(id);
    return t === undefined ? `  - \`${id}\`` : `  - \`${id}\`: ${inline(t.message.slice(t.message.indexOf(': ') + 2))} (linked ${t.at})`;
  })];
}

function detection(f: Facts): string {
  const first = f.timeline.find((t) => t.type === 'alert-attached');
  const sent = f.timeline.find((t) => t.type === 'notification' && /: sent\b/.test(t.message));
  const queued = f.timeline.find((t) => t.type === 'notification-queued');
  const muted = f.timeline.filter((t) => t.type === 'notification-muted').length;
  const lines = [
    '## Detection',
    '',
    `- **First alert:** ${first === undefined ? 'not on the timeline' : `${inline(first.message)} at ${first.at}${first.reason === undefined ? '' : ` (${inline(first.reason)})`}`}.`,
    `- **Incident opened:** ${f.inc.openedAt}.`,
  ];
  if (sent !== undefined) lines.push(`- **First notification:** ${inline(sent.message)} at ${sent.at} (${since(f, sent.ms)} after opening).`);
  else if (queued !== undefined) lines.push(`- **First notification:** queued at ${queued.at} (${inline(queued.message)}); no delivery is on the timeline.`);
  else lines.push('- **First notification:** none on the timeline (no route reached the incident, or routing is not configured).');
  if (muted > 0) lines.push(`- **Muted:** ${muted} timeline entr${muted === 1 ? 'y says' : 'ies say'} a notification was held back (silence, inhibition or time interval).`);
  return lines.join('\n');
}

function mitigation(f: Facts): string {
  const lines = ['## Mitigation', ''];
  const acks = f.timeline.filter((t) => t.type === 'acknowledged');
  if (acks.length === 0) lines.push('- **Acknowledged:** not in stormcell.');
  for (const a of acks) lines.push(`- **Acknowledged:** ${inline(a.message)} at ${a.at} (${since(f, a.ms)} after opening).`);
  for (const r of f.timeline.filter((t) => t.type === 'deploy-rolled-back')) lines.push(`- **Rollback:** ${inline(r.message)} at ${r.at} (${since(f, r.ms)} after opening).`);
  if (f.inc.resolvedAt === null) lines.push('- **Resolved:** not yet.');
  else {
    const r = [...f.timeline].reverse().find((t) => t.type === 'resolved');
    const how = f.inc.resolvedBy === undefined ? '' : ` by hand, by ${inline(f.inc.resolvedBy.by)}`;
    lines.push(`- **Resolved${how}:** ${f.inc.resolvedAt} (${duration(f.end - f.opened)} after opening)${r === undefined ? '' : `: ${inline(r.message)}`}.`);
  }
  return lines.join('\n');
}

function cause(f: Facts): string {
  const { inc } = f;
  const lines = ['## Suspected cause and evidence', ''];
  lines.push(inc.rootCause === null
    ? '- **Root cause:** stormcell named none.'
    : `- **Root cause:** \`${inc.rootCause.entity}\` (score ${score(inc.rootCause.score)}).`);
  if (inc.suspectedDeploys.length === 0) lines.push('- **Suspected deploys:** none.');
  else {
    lines.push('- **Suspected deploys**, best first:', '', '| service | version | deployed at | score | reason |', '|---|---|---|---:|---|');
    for (const d of inc.suspectedDeploys) lines.push(`| ${cell(d.service)} | ${cell(d.version)} | ${d.at} | ${score(d.score)} | ${cell(d.reason ?? '–')} |`);
    lines.push('');
  }
  const joins = f.timeline.filter((t) => t.type === 'alert-attached' && t.reason !== undefined);
  if (joins.length > 0) {
    lines.push(`- **How the alerts were tied together** (first ${Math.min(EVIDENCE_JOINS, joins.length)} of ${joins.length}):`);
    for (const j of joins.slice(0, EVIDENCE_JOINS)) {
      lines.push(`  - ${j.at}: ${inline(j.message)}: ${inline(j.reason as string)}${j.score === undefined ? '' : ` (score ${score(j.score)})`}`);
    }
  }
  const reshaped = f.timeline.filter((t) => t.type === 'merged' || t.type === 'split');
  for (const r of reshaped) lines.push(`- **${r.type === 'merged' ? 'Merge' : 'Split'}:** ${inline(r.message)} at ${r.at}${r.reason === undefined ? '' : ` (${inline(r.reason)})`}.`);
  return lines.join('\n');
}

function timelineTable(f: Facts): string {
  const rows = f.timeline.map((t) => `| ${t.at} | ${offset(t.ms - f.opened)} | ${cell(t.type)} | ${cell(t.message)} |`);
  return ['## Timeline', '', '| time (UTC) | since opened | event | message |', '|---|---:|---|---|', ...rows].join('\n');
}

function actionItems(f: Facts, slos: readonly SloDoc[]): string {
  const { inc } = f;
  const q: string[] = [
    `What did the first responders know at ${inc.openedAt}, and what would have let them know it sooner?`,
  ];
  const top = inc.suspectedDeploys[0];
  if (top !== undefined) {
    q.push(`Which check in the rollout of ${top.service} ${top.version} could have stopped it before users noticed (canary analysis, an SLO-gated rollout, a smaller first step)?`);
  }
  const rollback = f.timeline.find((t) => t.type === 'deploy-rolled-back');
  if (rollback !== undefined) q.push(`The rollback came ${since(f, rollback.ms)} after opening: what would make the decision and the rollback itself faster?`);
  if (inc.rootCause === null) q.push('stormcell named no root cause: what was it, and which signal or topology relation would have pointed there?');
  if (inc.acknowledged === undefined && !f.timeline.some((t) => t.type === 'acknowledged')) {
    q.push('Nobody acknowledged the incident in stormcell: did the page reach someone, and how did responders find each other?');
  } else if (inc.acknowledged !== undefined && instant(inc.acknowledged.at) - f.opened > SLOW_ACK_MS) {
    q.push(`Acknowledging took ${since(f, instant(inc.acknowledged.at))}: what stood between the page and a responder?`);
  }
  if (!f.timeline.some((t) => t.type === 'notification' || t.type === 'notification-queued')) {
    q.push('No notification is on the timeline: should a route in routing.yaml reach an incident of this severity and these labels?');
  }
  if (inc.tickets.length > 0) q.push(`${inc.tickets.length} ticket(s) were linked: did users see the problem before the alerts did, and what would have shown it to us first?`);
  for (const s of slosHit(f, slos)) q.push(`SLO ${s.slo.name} burned budget during the incident: does its error budget policy ask for a change of priorities?`);
  const received = inc.alerts.filter((a) => a.origin !== 'slo').length;
  if (received > NOISY_ALERTS) q.push(`${received} alerts fired for one problem: which of them helped the responders, and which could be quieter, inhibited or removed?`);
  if (f.timeline.some((t) => t.type === 'merged' || t.type === 'split')) {
    q.push('stormcell merged or split incidents here: did its grouping match how responders saw the problem? If not, export the incident as a regression scenario (`stormcell scenario export`) and correct its truth.json.');
  }
  q.push('What went well that we should keep doing, and where were we lucky?');
  return ['## Action items', '', '_Prompts for the review: questions about the system and its signals, not about who did what._', '', ...q.map((s) => `- [ ] ${s}`)].join('\n');
}

function instant(s: string): Instant {
  const ms = parseRfc3339(s);
  if (ms === null) throw new RangeError(`postmortem: expected an RFC 3339 time, got ${JSON.stringify(s)}`);
  return ms;
}

/** A duration rounded to whole seconds (`1h2m3s`). */
function duration(ms: number): string {
  return formatDuration(Math.max(0, Math.round(ms / 1000) * 1000));
}

function since(f: Facts, at: Instant): string {
  return duration(at - f.opened);
}

function offset(ms: number): string {
  return ms < 0 ? `-${duration(-ms)}` : `+${duration(ms)}`;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

function pp(x: number): string {
  return `${(x * 100).toFixed(1)} pp`;
}

function score(x: number): string {
  return x.toFixed(2);
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

function code(s: string): string {
  return `\`${s.replace(/`/g, "'")}\``;
}

/** Text on one line: line breaks would end a list item or a table row. */
function inline(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ');
}

/** Text for a table cell: one line, and a `|` that does not end the cell. */
function cell(s: string): string {
  return inline(s).replace(/\|/g, '\\|');
}
