import type { Condition, DeploySpec, Emission, TicketSpec } from './capture-scenario.js';
import type { World } from './capture-world.js';
import type { Rng } from './rng.js';

const MIN = 60_000;
const PEOPLE = ['Ana Ruiz', 'Bilal Khan', 'Chen Wei', 'Dara Okafor', 'Emil Larsen', 'Farah Haddad', 'Greta Novak', 'Hiro Tanaka'];

function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Jira's own timestamp format: milliseconds and a `+0000` offset without a colon. */
function jiraTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

function hex(rng: Rng, n: number): string {
  return rng.chars(n, '0123456789abcdef');
}

/** A CD pipeline's report of one deploy (`/webhook/deploys/generic`), delivered seconds after it finished. */
export function deployEmission(d: DeploySpec, rng: Rng): Emission {
  const body = {
    service: d.service,
    version: d.version,
    previousVersion: d.previousVersion,
    environment: 'production',
    cluster: d.cluster,
    namespace: d.namespace,
    at: isoSeconds(d.at),
    status: d.status,
    commit: hex(rng, 40),
    author: rng.pick(PEOPLE),
    url: `https://ci.example.com/${d.namespace}/${d.service}/-/pipelines/${rng.int(180_000, 260_000)}`,
  };
  return { at: d.at + rng.int(2_000, 25_000), path: '/webhook/deploys/generic', bodyJson: JSON.stringify(body) };
}

const JIRA_PRIORITY_ID: Readonly<Record<TicketSpec['priority'], string>> = { Highest: '1', High: '2', Medium: '3', Low: '4' };
const GENERIC_PRIORITY: Readonly<Record<TicketSpec['priority'], string>> = { Highest: 'urgent', High: 'high', Medium: 'normal', Low: 'low' };

/**
 * A ticket's webhook deliveries: Jira sends `jira:issue_created` and then `jira:issue_updated` with a changelog for
 * each status change; a generic ticket system re-posts the whole ticket with its new status.
 */
export function ticketEmissions(t: TicketSpec, rng: Rng): Emission[] {
  if (t.source === 'generic') {
    const post = (at: number, status: 'open' | 'resolved'): Emission => ({
      at: at + rng.int(500, 4_000),
      path: '/webhook/tickets/generic',
      bodyJson: JSON.stringify({
        id: t.id, title: t.title, body: t.body, createdAt: new Date(t.createdAt).toISOString(),
        priority: GENERIC_PRIORITY[t.priority], status, services: t.services, labels: { cluster: t.cluster, channel: 'support' },
      }),
    });
    return [post(t.createdAt, 'open'), ...t.updates.map((u) => post(u.at, u.status === 'resolved' ? 'resolved' : 'open'))];
  }
  const num = Number(t.id.split('-')[1]);
  const reporter = rng.pick(PEOPLE);
  let status = 'Open';
  const issue = (updated: number): unknown => ({
    id: String(10_000 + num),
    self: `https://example.atlassian.net/rest/api/2/issue/${10_000 + num}`,
    key: t.id,
    fields: {
      summary: t.title,
      description: t.body,
      issuetype: { name: 'Incident', subtask: false },
      project: { key: t.id.split('-')[0], name: 'Operations' },
      priority: { name: t.priority, id: JIRA_PRIORITY_ID[t.priority] },
      labels: ['production', t.cluster],
      components: t.services.map((name) => ({ name })),
      status: { name: status },
      reporter: { displayName: reporter, active: true },
      created: jiraTime(t.createdAt),
      updated: jiraTime(updated),
    },
  });
  const out: Emission[] = [{
    at: t.createdAt + rng.int(300, 2_500),
    path: '/webhook/tickets/jira',
    bodyJson: JSON.stringify({ timestamp: t.createdAt, webhookEvent: 'jira:issue_created', issue_event_type_name: 'issue_created', user: { displayName: reporter }, issue: issue(t.createdAt) }),
  }];
  for (const u of t.updates) {
    const from = status;
    status = u.status;
    out.push({
      at: u.at + rng.int(300, 2_500),
      path: '/webhook/tickets/jira',
      bodyJson: JSON.stringify({
        timestamp: u.at, webhookEvent: 'jira:issue_updated', issue_event_type_name: 'issue_generic',
        user: { displayName: rng.pick(PEOPLE) }, issue: issue(u.at),
        changelog: { id: String(rng.int(200_000, 300_000)), items: [{ field: 'status', fieldtype: 'jira', fromString: from, toString: status }] },
      }),
    });
  }
  return out;
}

/**
 * SLI exporter samples (`/api/v1/sli`): cumulative good/total request counters of two SLOs, posted once a minute.
 * The error ratio follows the HighErrorRate conditions of the SLO's service, so burn alerts line up with the faults;
 * the payments exporter restarts once, resetting its counters as a Prometheus counter would.
 */
export function sliEmissions(world: World, conditions: readonly Condition[], start: number, end: number, rng: Rng): Emission[] {
  const first = world.clusters[0];
  const second = world.clusters[1] ?? first;
  if (first === undefined || second === undefined) return [];
  const slos = [
    { slo: 'checkout-availability', cluster: first.name, service: 'checkout', rps: 180, resetAt: Infinity },
    { slo: 'payments-availability', cluster: second.name, service: 'payments-api', rps: 90, resetAt: start + 0.4 * (end - start) },
  ].map((s) => ({
    ...s,
    good: rng.int(10_000_000, 90_000_000),
    total: 0,
    errors: conditions.filter((c) => c.cluster === s.cluster && c.template.labels.alertname === 'HighErrorRate' && c.template.labels.service === s.service),
  }));
  for (const s of slos) s.total = s.good + rng.int(1_000, 20_000);
  const out: Emission[] = [];
  for (let t = Math.ceil(start / MIN) * MIN + 15_000; t < end; t += MIN) {
    const samples = slos.map((s) => {
      if (t >= s.resetAt && t - MIN < s.resetAt) {
        s.good = 0;
        s.total = 0;
      }
      // A gentle daily swing of traffic, plus noise.
      const rps = s.rps * (1 + 0.3 * Math.sin(((t / MIN) % 1440) / 1440 * 2 * Math.PI)) * rng.between(0.9, 1.1);
      const n = Math.round(rps * 60);
      let ratio = 0.0004;
      for (const c of s.errors) if (c.start <= t && t < c.end) ratio = Math.max(ratio, c.template.labels.severity === 'critical' ? 0.12 : 0.03);
      const bad = Math.round(n * ratio * rng.between(0.7, 1.3));
      s.total += n;
      s.good += n - bad;
      return { slo: s.slo, at: new Date(t).toISOString(), good: s.good, total: s.total };
    });
    out.push({ at: t + rng.int(20, 900), path: '/api/v1/sli', bodyJson: JSON.stringify(samples) });
  }
  return out;
}

/** What users ask support about when nothing is broken: no service is named, nothing in the capture explains them. */
const UNRELATED: ReadonlyArray<{ title: string; body: string; priority: TicketSpec['priority'] }> = [
  { title: 'Invoice PDF shows the wrong VAT rate for Austrian customers', body: 'Since the tax change the invoice footer still says 19%; finance needs a corrected template.', priority: 'Medium' },
  { title: 'Please add dark mode to the seller dashboard', body: 'Several sellers asked for a dark theme; attaching two screenshots from competitors.', priority: 'Low' },
  { title: 'Request: read access to the quarterly sales report', body: 'New analyst in the Lisbon office needs access to the Q1 revenue dashboards.', priority: 'Low' },
  { title: 'Customer wants their account merged with a second email address', body: 'Two accounts, same person; please merge order history into the older one.', priority: 'Medium' },
  { title: 'Typo in the German translation of the returns page', body: '"Rücksendung" is misspelt in the second paragraph of the returns policy.', priority: 'Low' },
  { title: 'Newsletter sign-up form: GDPR consent text outdated', body: 'Legal sent an updated consent paragraph; the form still shows the 2024 wording.', priority: 'Medium' },
  { title: 'How do I export my order history as CSV?', body: 'A business customer needs all orders of last year for their accounting.', priority: 'Low' },
  { title: 'Gift wrapping option missing for bulky items', body: 'Is this intended? Customers ask why they cannot add gift wrap to furniture orders.', priority: 'Low' },
];

/**
 * Tickets about nothing the capture holds (fault null): questions and requests spread over [start, end), half in
 * Jira (`HELP-…`) and half in the generic system (`ZD-6…`), so a linker that links by time alone is caught.
 */
export function unrelatedTickets(clusters: readonly string[], count: number, start: number, end: number, rng: Rng): TicketSpec[] {
  const picks = rng.sample(UNRELATED, count);
  const jiraBase = rng.int(300, 899);
  const genericBase = rng.int(60_000, 69_000);
  return picks.map((p, i) => {
    const createdAt = start + Math.floor(rng.between(0.05, 0.9) * (end - start) / 1000) * 1000;
    const source = i % 2 === 0 ? 'jira' : 'generic';
    return {
      id: source === 'jira' ? `HELP-${jiraBase + i}` : `ZD-${genericBase + i}`,
      source, title: p.title, body: p.body, createdAt, priority: p.priority, cluster: rng.pick(clusters), services: [],
      updates: rng.chance(0.5) ? [{ at: createdAt + rng.int(20, 90) * MIN, status: source === 'jira' ? 'In Progress' : 'open' }] : [],
      fault: null,
    };
  });
}
