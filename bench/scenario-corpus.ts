import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GENERATED_SCENARIOS, renderGeneratedScenario } from './scenario-generated.js';
import type { ScenarioFiles } from './scenario-files.js';
import { certExpiry, datastoreSaturation, networkFault, nodeFailure } from './scenario-infra.js';
import { LEGACY_SCENARIOS, legacyTruth } from './scenario-legacy.js';
import { backgroundBridge, benignDeploys, overlappingFaults, sloBurnDeploy, slowDegradation, ticketsBeforeAlerts } from './scenario-services.js';

/** The hand-written scenarios, in the order the README lists them. */
export const HANDWRITTEN_SCENARIOS: ReadonlyArray<() => ScenarioFiles> = [
  datastoreSaturation, nodeFailure, networkFault, certExpiry,
  overlappingFaults, slowDegradation, benignDeploys, ticketsBeforeAlerts, backgroundBridge, sloBurnDeploy,
];

/** What the writer produces for one scenario directory, and whether it owns the directory as a whole. */
export interface RenderedScenario extends ScenarioFiles {
  /** `generated`, `hand-written` (both written whole), or `legacy` (only truth.json is written). */
  readonly kind: 'generated' | 'hand-written' | 'legacy';
}

/**
 * Renders the whole corpus: generated scenarios, hand-written ones, the legacy scenarios' truth.json (derived from
 * their committed captures and expected.json under `corpusRoot`) and the corpus README. Constraint: pure apart from reading those
 * captures, so rendering twice gives the same bytes.
 */
export function renderCorpus(corpusRoot: string): { scenarios: RenderedScenario[]; readme: string } {
  const scenarios: RenderedScenario[] = [
    ...LEGACY_SCENARIOS.map((s): RenderedScenario => ({
      name: s.name, description: s.description, kind: 'legacy',
      files: {
        'truth.json': legacyTruth(
          s,
          readFileSync(join(corpusRoot, s.name, 'capture.ndjson'), 'utf8'),
          readFileSync(join(corpusRoot, s.name, 'expected.json'), 'utf8'),
        ),
      },
    })),
    ...HANDWRITTEN_SCENARIOS.map((f): RenderedScenario => ({ ...f(), kind: 'hand-written' })),
    ...GENERATED_SCENARIOS.map((s): RenderedScenario => ({ ...renderGeneratedScenario(s), kind: 'generated' })),
  ];
  const names = new Set<string>();
  for (const s of scenarios) {
    if (names.has(s.name)) throw new RangeError(`scenario ${s.name} is defined twice`);
    names.add(s.name);
  }
  return { scenarios, readme: renderReadme(scenarios, corpusRoot) };
}

/**
 * Writes the corpus into `outRoot` (legacy captures are read from `corpusRoot`, by default the same directory).
 * Generated and hand-written scenario directories are replaced whole, so a file a scenario no longer has goes;
 * legacy directories get only their truth.json.
 */
export function writeScenarios(outRoot: string, corpusRoot: string = outRoot): RenderedScenario[] {
  const { scenarios, readme } = renderCorpus(corpusRoot);
  for (const s of scenarios) {
    const dir = join(outRoot, s.name);
    if (s.kind !== 'legacy') rmSync(dir, { recursive: true, force: true });
    for (const [path, text] of Object.entries(s.files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  }
  writeFileSync(join(outRoot, 'README.md'), readme);
  return scenarios;
}

/** Per scenario: capture size, distinct alerts, truth incidents and the alerts they hold. */
export function scenarioStats(s: ScenarioFiles, capture: string): { bytes: number; alerts: number; incidents: number; incidentAlerts: number; tickets: number } {
  const fingerprints = new Set<string>();
  for (const line of capture.split('\n')) {
    if (line === '') continue;
    const { path, body } = JSON.parse(line) as { path: string; body: unknown };
    const alerts = path === '/api/v2/alerts' ? body : path === '/webhook/alertmanager' ? (body as { alerts: unknown }).alerts : [];
    for (const a of alerts as Array<{ labels: Record<string, string> }>) fingerprints.add(JSON.stringify(Object.entries(a.labels).filter(([, v]) => v !== '').sort()));
  }
  const truth = JSON.parse(s.files['truth.json'] as string) as { incidents: Array<{ alerts: string[]; tickets: string[] }>; unlinkedTickets: string[] };
  return {
    bytes: Buffer.byteLength(capture),
    alerts: fingerprints.size,
    incidents: truth.incidents.length,
    incidentAlerts: truth.incidents.reduce((n, i) => n + i.alerts.length, 0),
    tickets: truth.incidents.reduce((n, i) => n + i.tickets.length, 0) + truth.unlinkedTickets.length,
  };
}

function renderReadme(scenarios: readonly RenderedScenario[], corpusRoot: string): string {
  const rows = scenarios.map((s) => {
    const capture = s.files['capture.ndjson'] ?? readFileSync(join(corpusRoot, s.name, 'capture.ndjson'), 'utf8');
    const st = scenarioStats(s, capture);
    const hasTopology = s.kind === 'legacy' ? existsSync(join(corpusRoot, s.name, 'config', 'topology.yaml')) : 'config/topology.yaml' in s.files;
    const topo = hasTopology ? 'yes' : 'no';
    return `| \`${s.name}\` | ${s.kind} | ${topo} | ${(st.bytes / 1e6).toFixed(2)} | ${st.alerts} | ${st.incidents} (${st.incidentAlerts} alert${st.incidentAlerts === 1 ? '' : 's'}) | ${s.description} |`;
  });
  const total = scenarios.reduce((n, s) => n + Buffer.byteLength(s.files['capture.ndjson'] ?? readFileSync(join(corpusRoot, s.name, 'capture.ndjson'), 'utf8')), 0);
  return `${README_HEAD}
| scenario | kind | topology | capture MB | alerts | truth incidents | what happens |
|---|---|---|---:|---:|---|---|
${rows.join('\n')}

Total capture size: ${(total / 1e6).toFixed(1)} MB. Alerts are distinct fingerprints; alerts in no truth incident are
background noise (Watchdog, throttling, blips, failed Jobs), each its own singleton when scored.
${README_TAIL}`;
}

const README_HEAD = `# The scenario corpus

Each directory is one scenario: \`capture.ndjson\` (recorded traffic, CONTRACT §2), \`config/\` (a stormcell config
directory: \`topology.yaml\` where the scenario has a topology, \`slos.yaml\` for generated ones; scenarios without a
topology are deliberate, since correlation must also work from labels, time, deploys and text) and \`truth.json\`
(the incidents an SRE would draw). \`stormcell eval test/scenarios\` replays every scenario and scores it against its
truth with the bars of \`thresholds.yaml\`. The first three scenarios also keep their \`expected.json\` (label
selectors and exact expectations) for \`scenarios.test.ts\`.

<!-- Generated by bench/write-scenarios.ts: edit the scenario definitions in bench/scenario-*.ts, not this file. -->
`;

const README_TAIL = `
## Kinds

- **generated**: \`bench/scenario-generated.ts\` runs the seeded capture generator (\`bench/capture-generator.ts\`: a
  kube-prometheus estate with HA Prometheus pairs, Loki rulers, an upstream Alertmanager's webhook, Jira and generic
  tickets, deploys, SLI samples) with a chosen seed, clusters and fault mix, on a thinned estate (\`replicaScale\`,
  \`noise\`) so the corpus stays small. The truth comes from the generator's ground truth.
- **hand-written**: \`bench/scenario-infra.ts\` and \`bench/scenario-services.ts\`, small stories in the DSL of
  \`bench/scenario-dsl.ts\` (\`fire(cluster, rule, from, to, incident)\`, \`deploy\`, \`jira\`, \`generic\`), evaluated
  and sent by the same simulated rulers and Alertmanager as generated captures. Each alert, deploy and ticket names
  its truth incident there.
- **legacy**: the first hand-typed captures; only their \`truth.json\` is written, by \`bench/scenario-legacy.ts\`
  from the label selectors of their \`expected.json\` (incident i is \`f<i+1>\`), so the two always agree.

## truth.json

\`\`\`json
{
  "incidents": [
    {"id": "f1", "alerts": ["<16-hex fingerprint>", "..."], "rootCause": "svc/eu-1/checkout",
     "deploys": [{"service": "checkout", "version": "v2.4.0"}], "tickets": ["OPS-1401"]}
  ],
  "unlinkedTickets": ["HELP-836"]
}
\`\`\`

- \`alerts\`: Alertmanager fingerprints (empty label values dropped) of every alert that belongs to the fault, sorted.
  An alert in no incident is background noise. A flapping alert whose episodes belong to different faults is in the
  incident of its first episode.
- \`rootCause\`: an entity id of the scenario's \`topology.yaml\`, present only when the cause is one (not for a
  certificate issuer, a network zone, or a scenario without topology).
- \`deploys\`: the causal deploys; benign deploys and rollbacks never are.
- \`tickets\`: tickets filed about the incident; \`unlinkedTickets\`: tickets about nothing in the capture, which must
  stay unlinked.

## Regenerating

\`\`\`sh
npx tsc -p bench/tsconfig.json && node dist-bench/bench/write-scenarios.js
\`\`\`

rewrites every generated and hand-written scenario, the legacy scenarios' \`truth.json\` and this README, byte for
byte the same unless a definition changed (\`test/unit/bench/scenario-corpus.test.ts\` checks that the committed
files are what the writer produces). \`--out DIR\` writes elsewhere.
`;
