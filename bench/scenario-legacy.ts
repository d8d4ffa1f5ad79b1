import { fingerprint } from '../src/model/fingerprint.js';
import { renderTruth, type TruthIncident } from './scenario-truth.js';

/**
 * The truth of the corpus's first, hand-typed scenarios (`bad-deploy`, `flapping`, `pod-storm`), whose captures and
 * `expected.json` (alerts named by label selectors) are committed as typed: the truth names the same alerts by
 * fingerprint, derived from the capture and expected.json, so the three cannot drift apart.
 */
export interface LegacyScenario {
  readonly name: string;
  readonly description: string;
  readonly unlinkedTickets: readonly string[];
}

export const LEGACY_SCENARIOS: readonly LegacyScenario[] = [
  {
    name: 'bad-deploy',
    description: 'A checkout deploy, then checkout errors, a crash loop and frontend latency (its caller) and a ticket: one incident, the checkout deploy causal and the benign search deploy not; an HA pair sends every alert twice; a throttling alert in another cluster an hour later stands alone.',
    unlinkedTickets: [],
  },
  {
    name: 'flapping',
    description: 'Without topology: one crash-looping pod fires and resolves four times in 40 minutes: one alert with a history, one incident.',
    unlinkedTickets: [],
  },
  {
    name: 'pod-storm',
    description: 'Without topology: twelve pods of one deployment go NotReady with a replicas mismatch (one incident); a filesystem alert from an upstream Alertmanager webhook stays firing until its resolved notification (another).',
    unlinkedTickets: [],
  },
];

/** The parts of an expected.json incident the truth takes over. */
interface ExpectedIncident {
  readonly alerts: readonly string[];
  readonly rootCause?: string;
  /** `"<service> <version>"`. */
  readonly suspectedDeploys?: readonly string[];
  readonly tickets?: readonly string[];
}

/**
 * Derives a legacy scenario's truth.json from its capture and expected.json texts: expected incident i becomes
 * truth incident `f<i+1>` with the fingerprints of the alerts its selectors match. Throws when a selector matches
 * no alert of the capture.
 */
export function legacyTruth(s: LegacyScenario, capture: string, expectedJson: string): string {
  const labelSets = new Map<string, Record<string, string>>();
  for (const line of capture.split('\n')) {
    if (line === '') continue;
    const { path, body } = JSON.parse(line) as { path: string; body: unknown };
    const alerts = path === '/api/v2/alerts' ? body : path === '/webhook/alertmanager' ? (body as { alerts: unknown }).alerts : [];
    for (const a of alerts as Array<{ labels: Record<string, string> }>) {
      // Alertmanager drops empty label values before fingerprinting.
      const labels = Object.fromEntries(Object.entries(a.labels).filter(([, v]) => v !== ''));
      labelSets.set(fingerprint(labels), labels);
    }
  }
  const expected = JSON.parse(expectedJson) as { incidents: ExpectedIncident[] };
  const incidents = expected.incidents.map((e, i): TruthIncident => {
    const alerts = [...labelSets].filter(([, labels]) => e.alerts.some((sel) => matches(labels, sel))).map(([fp]) => fp).sort();
    if (alerts.length === 0) throw new RangeError(`${s.name}: incident ${i + 1}: no alert matches ${e.alerts.join(' | ')}`);
    return {
      id: `f${i + 1}`,
      alerts,
      ...(e.rootCause === undefined ? {} : { rootCause: e.rootCause }),
      deploys: (e.suspectedDeploys ?? []).map((d) => {
        const [service, version] = d.split(' ');
        return { service: service as string, version: version as string };
      }),
      tickets: e.tickets ?? [],
    };
  });
  return renderTruth({ incidents, unlinkedTickets: s.unlinkedTickets });
}

function matches(labels: Record<string, string>, selector: string): boolean {
  return selector.split(',').every((kv) => {
    const [k, v] = kv.split('=');
    return labels[k as string] === v;
  });
}
