import { parse, stringify } from 'yaml';
import { generateCaptureConfig } from './capture-config.js';
import { generateCapture, type CaptureOptions } from './capture-generator.js';
import { captureText, type ScenarioFiles } from './scenario-files.js';
import { renderTruth, toScenarioTruth, topologyEntityIds } from './scenario-truth.js';

/** A generated scenario of the corpus: generator options, and whether its config carries the estate's topology. */
export interface GeneratedScenario {
  readonly name: string;
  readonly description: string;
  readonly options: CaptureOptions;
  /** False: the config has no topology.yaml, so correlation has only labels, time, deploys and text. */
  readonly topology: boolean;
}

const MIN = 60_000;

/**
 * Thinned estates (fewer replicas, a fifth of the background chatter) and windows of 1.5 to 2 hours keep the whole
 * corpus near 30 MB while every storm keeps its shape. Faults are placed so that each fires inside the window.
 */
const SMALL = { noise: 0.2, replicaScale: 0.6, unrelatedTickets: 2 } as const;

/** The corpus's generated scenarios, in the order the README lists them. */
export const GENERATED_SCENARIOS: readonly GeneratedScenario[] = [
  {
    name: 'gen-s11-eu',
    description: 'eu-1: a bad checkout deploy (rolled back after 40 min), search latency flapping, payments-db connection exhaustion; benign deploys around them.',
    topology: true,
    options: {
      ...SMALL, seed: 11, hours: 2, clusters: ['eu-1'], start: '2026-03-02T08:00:00.000Z',
      faults: [
        { kind: 'bad-deploy', at: 0.1, cluster: 0, service: 'checkout', rollbackAfterMs: 40 * MIN },
        { kind: 'flapping-alert', at: 0.3, cluster: 0 },
        { kind: 'datastore-saturation', at: 0.55, cluster: 0 },
      ],
    },
  },
  {
    name: 'gen-s23-us',
    description: 'us-1 and us-2: a node lost in us-1 while a quick-rollback fraud-check deploy breaks us-2 (never one incident across clusters), then session-cache (Redis) saturated in us-1.',
    topology: true,
    options: {
      ...SMALL, seed: 23, hours: 1.5, clusters: ['us-1', 'us-2'], start: '2026-03-03T14:00:00.000Z',
      faults: [
        { kind: 'node-failure', at: 0.15, cluster: 0 },
        { kind: 'bad-deploy', at: 0.2, cluster: 1, service: 'fraud-check', rollbackAfterMs: 16 * MIN },
        { kind: 'datastore-saturation', at: 0.6, cluster: 0, service: 'session-cache' },
      ],
    },
  },
  {
    name: 'gen-s37-ap',
    description: 'ap-1: a certificate warning firing for days escalates and is renewed, then a zone partition storms the whole cluster (hundreds of alerts, one incident).',
    topology: true,
    options: {
      ...SMALL, replicaScale: 0.4, seed: 37, hours: 1.5, clusters: ['ap-1'], start: '2026-03-04T02:00:00.000Z',
      faults: [
        { kind: 'cert-expiry', at: 0.1, cluster: 0 },
        { kind: 'network-fault', at: 0.4, cluster: 0, partitionMs: 20 * MIN },
      ],
    },
  },
  {
    name: 'gen-s41-eu',
    description: 'eu-2: a bad checkout deploy and a session-cache (Redis) saturation overlap in one cluster; the frontend calls both sides.',
    topology: true,
    options: {
      ...SMALL, seed: 41, hours: 1.5, clusters: ['eu-2'], start: '2026-03-05T10:00:00.000Z',
      faults: [
        { kind: 'bad-deploy', at: 0.25, cluster: 0, service: 'checkout', rollbackAfterMs: 35 * MIN },
        { kind: 'datastore-saturation', at: 0.33, cluster: 0, service: 'session-cache' },
      ],
    },
  },
  {
    name: 'gen-s59-eu-notopo',
    description: 'eu-1 without topology: a quick-rollback cart deploy, then a node lost; correlation from labels, time, deploys and text only.',
    topology: false,
    options: {
      ...SMALL, seed: 59, hours: 1.5, clusters: ['eu-1'], start: '2026-03-06T09:00:00.000Z',
      faults: [
        { kind: 'bad-deploy', at: 0.12, cluster: 0, service: 'cart', rollbackAfterMs: 15 * MIN },
        { kind: 'node-failure', at: 0.5, cluster: 0 },
      ],
    },
  },
  {
    name: 'gen-s61-us-notopo',
    description: 'us-1 without topology: a certificate escalation, search latency flapping and payments-db connection exhaustion (a ticket before its first alert).',
    topology: false,
    options: {
      ...SMALL, seed: 61, hours: 1.5, clusters: ['us-1'], start: '2026-03-07T16:00:00.000Z',
      faults: [
        { kind: 'cert-expiry', at: 0.05, cluster: 0 },
        { kind: 'flapping-alert', at: 0.2, cluster: 0 },
        { kind: 'datastore-saturation', at: 0.35, cluster: 0 },
      ],
    },
  },
];

/**
 * Renders one generated scenario: the capture, its config (topology.yaml and slos.yaml from the same seed; without
 * topology, slos.yaml loses its `entity` references, which would point at entities that do not exist) and the
 * truth derived from the generator's ground truth. Constraint: a pure function of the spec.
 */
export function renderGeneratedScenario(s: GeneratedScenario): ScenarioFiles {
  const lines = generateCapture(s.options);
  const config = generateCaptureConfig(s.options);
  const files: Record<string, string> = { 'capture.ndjson': captureText(lines) };
  let entityIds: Set<string> | null = null;
  if (s.topology) {
    files['config/topology.yaml'] = config['topology.yaml'];
    files['config/slos.yaml'] = config['slos.yaml'];
    entityIds = topologyEntityIds(config['topology.yaml']);
  } else {
    files['config/slos.yaml'] = withoutEntities(config['slos.yaml']);
  }
  files['truth.json'] = renderTruth(toScenarioTruth(lines.truth, entityIds));
  return { name: s.name, description: s.description, files };
}

/** slos.yaml without the `entity` of each SLO, keeping the header comment. */
function withoutEntities(slosYaml: string): string {
  const header = slosYaml.split('\n').filter((l) => l.startsWith('#')).join('\n');
  const doc = parse(slosYaml) as { slos: Array<Record<string, unknown>> };
  const slos = doc.slos.map(({ entity: _entity, ...rest }) => rest);
  return `${header}\n# No topology in this scenario, so the SLOs name no entity.\n${stringify({ slos })}`;
}
