import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../../src/errors.js';
import { evalCommand, runEval, type EvalIo } from '../../../src/eval/index.js';
import { fingerprint } from '../../../src/model/index.js';

const HE = { alertname: 'HighErrorRate', service: 'checkout', cluster: 'eu-1', severity: 'critical' };
const PG = { alertname: 'PostgresTooManyConnections', service: 'orders-db', cluster: 'eu-1', severity: 'warning' };
const HL = { alertname: 'HighLatency', service: 'checkout', cluster: 'eu-1', severity: 'warning' };
const DISK = { alertname: 'DiskFull', node: 'n9', cluster: 'eu-2', severity: 'warning' };

const line = (ts: string, path: string, body: unknown) => JSON.stringify({ ts: `2026-03-01T${ts}Z`, path, body });
const CAPTURE = [
  line('10:00:00', '/webhook/deploys/generic', { service: 'checkout', version: 'v42', at: '2026-03-01T09:58:00Z' }),
  line('10:01:00', '/api/v2/alerts', [{ labels: HE }]),
  line('10:01:05', '/api/v2/alerts', [{ labels: PG }]),
  line('10:01:10', '/api/v2/alerts', [{ labels: HL }]),
  line('10:01:30', '/webhook/tickets/generic', { id: 'SUP-7', title: 'cannot check out', createdAt: '2026-03-01T10:01:30Z', services: ['checkout'] }),
  line('10:02:00', '/webhook/tickets/generic', { id: 'SUP-9', title: 'printer on floor 3 jammed', createdAt: '2026-03-01T10:02:00Z' }),
  line('11:00:00', '/api/v2/alerts', [{ labels: DISK }]),
].join('\n') + '\n';
const TOPOLOGY =
  'entities:\n  - {id: svc/checkout, kind: service, labels: {service: checkout}}\n  - {id: db/orders, kind: datastore, labels: {service: orders-db}}\nrelations:\n  - {from: svc/checkout, to: db/orders, type: uses}\n';

/**
 * s1's truth agrees with what the engine does: {HE, PG, HL} caused by checkout v42, root cause svc/checkout (the
 * deploy's service), SUP-7 linked, SUP-9 unrelated; DiskFull is noise. s2 replays the same traffic against a truth
 * that disagrees on every point: DiskFull belongs to the incident too, its root cause is db/orders, it has no causal
 * deploy, SUP-9 is its ticket and SUP-7 is unrelated.
 */
const TRUTH_S1 = {
  incidents: [{ id: 'f1', alerts: [fingerprint(HE), fingerprint(PG), fingerprint(HL)], rootCause: 'svc/checkout', deploys: [{ service: 'checkout', version: 'v42' }], tickets: ['SUP-7'] }],
  unlinkedTickets: ['SUP-9'],
};
const TRUTH_S2 = {
  incidents: [{ id: 'f1', alerts: [fingerprint(HE), fingerprint(PG), fingerprint(HL), fingerprint(DISK)], rootCause: 'db/orders', deploys: [], tickets: ['SUP-9'] }],
  unlinkedTickets: ['SUP-7'],
};
/**
 * The corpus figures, by hand (pairs within each scenario: 6 + 6):
 * s1: TP 3 (HE–PG, HE–HL, PG–HL), FP 0, FN 0. s2: TP 3, FP 0, FN 3 (each with DISK) → F1 2·3/(6+3) = 0.667.
 * corpus: TP 6, FP 0, FN 3 → F1 12/15 = 0.8; ARI: E = (6·9)/12 = 4.5, M = 7.5 → (6 − 4.5)/(7.5 − 4.5) = 0.5.
 * compression ratio: truth clusters (2 + 1) / incidents (2 + 2) = 0.75; tickets 2/4; deploy attributions 1 right
 * of 2 (s2's has no causal deploy), causal deploys found 1/1; root causes 1/2.
 */
const PASSING = `# achieved values, to the thousandth
corpus: {pairwiseF1: 0.8, ari: 0.5, compressionRatio: 0.75, ticketLinkAccuracy: 0.5, deployPrecision: 0.5, deployRecall: 1, rootCauseTop1: 0.5}
scenario: {pairwiseF1: 0.5}
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function corpus(thresholds = PASSING): string {
  const root = mkdtempSync(join(tmpdir(), 'stormcell-eval-'));
  dirs.push(root);
  for (const [name, truth] of [['s1', TRUTH_S1], ['s2', TRUTH_S2]] as const) {
    mkdirSync(join(root, name, 'config'), { recursive: true });
    writeFileSync(join(root, name, 'capture.ndjson'), CAPTURE);
    writeFileSync(join(root, name, 'config', 'topology.yaml'), TOPOLOGY);
    writeFileSync(join(root, name, 'truth.json'), JSON.stringify(truth));
  }
  mkdirSync(join(root, '_wip')); // no capture, skipped by its name
  writeFileSync(join(root, 'README.md'), 'not a scenario');
  writeFileSync(join(root, 'thresholds.yaml'), thresholds);
  return root;
}

function collector(): EvalIo & { out: string; err: string; files: Record<string, string> } {
  const io = {
    out: '',
    err: '',
    files: {} as Record<string, string>,
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
    writeFile: async (p: string, t: string) => void (io.files[p] = t),
  };
  return io;
}

describe('runEval', () => {
  it('scores every scenario and the micro-averaged corpus, beside the group_by baseline', async () => {
    const r = await runEval({ dir: corpus() });
    expect(r.scenarios.map((s) => s.name)).toEqual(['s1', 's2']);
    const [s1, s2] = r.scenarios;
    expect(s1!.ours.scores).toMatchObject({ alerts: 4, incidents: 2, truthClusters: 2, pairwiseF1: 1, ari: 1, compressionRatio: 1, ticketLinkAccuracy: 1, deployPrecision: 1, deployRecall: 1, rootCauseTop1: 1 });
    expect(s2!.ours.scores.pairwiseF1).toBeCloseTo(2 / 3, 12);
    expect(s2!.ours.scores).toMatchObject({ pairwisePrecision: 1, ari: 0, compressionRatio: 0.5, ticketLinkAccuracy: 0, deployPrecision: 0, deployRecall: null, rootCauseTop1: 0 });
    const c = r.corpus.ours.scores;
    expect(c.pairwiseF1).toBeCloseTo(0.8, 12);
    expect(c.ari).toBeCloseTo(0.5, 12);
    expect(c).toMatchObject({ compressionRatio: 0.75, ticketLinkAccuracy: 0.5, deployPrecision: 0.5, deployRecall: 1, rootCauseTop1: 0.5 });
    // The baseline pages once per (alertname, cluster): four groups, no pair together, so s1's true pairs are missed.
    expect(s1!.baseline.scores).toMatchObject({ incidents: 4, pairwisePrecision: 1, pairwiseRecall: 0, pairwiseF1: 0, ari: 0, ticketLinkAccuracy: null, deployPrecision: null, rootCauseTop1: null });
    expect(r.baselineGroupBy).toEqual(['alertname', 'cluster']);
    expect(r.failures).toEqual([]);
    expect(r.exitCode).toBe(0);
  });

  it('goes from exit 0 to exit 1 when a bar is raised above the achieved value', async () => {
    expect((await runEval({ dir: corpus() })).exitCode).toBe(0);
    const r = await runEval({ dir: corpus('corpus: {pairwiseF1: 0.85, ari: 0.4}\nscenario: {pairwiseF1: 0.7}\n') });
    expect(r.exitCode).toBe(1);
    expect(r.failures).toEqual([
      { scope: 's2', metric: 'pairwiseF1', value: expect.closeTo(2 / 3, 12), min: 0.7 },
      { scope: 'corpus', metric: 'pairwiseF1', value: expect.closeTo(0.8, 12), min: 0.85 },
    ]);
  });

  it('scores one scenario directory alone, against its corpus thresholds when it has none of its own', async () => {
    const root = corpus('scenario: {pairwiseF1: 0.9}\n');
    const r = await runEval({ dir: join(root, 's1') });
    expect(r.scenarios.map((s) => s.name)).toEqual(['s1']);
    expect(r.exitCode).toBe(0);
    writeFileSync(join(root, 's2', 'thresholds.yaml'), 'corpus: {rootCauseTop1: 0.1}\n');
    const r2 = await runEval({ dir: join(root, 's2') });
    expect(r2.failures).toEqual([{ scope: 'corpus', metric: 'rootCauseTop1', value: 0, min: 0.1 }]);
  });

  it('groups the baseline by --baseline-group-by', async () => {
    const r = await runEval({ dir: corpus(), baselineGroupBy: ['cluster'] });
    // By cluster, HE, PG and HL (eu-1) page together and DiskFull (eu-2) alone: s1's truth exactly.
    expect(r.scenarios[0]!.baseline.scores).toMatchObject({ incidents: 2, pairwiseF1: 1, ari: 1 });
  });

  it('replays with --pipeline instead of each config dir pipeline', async () => {
    const root = corpus();
    const pipeline = join(root, '_wip', 'labels-only.yaml');
    writeFileSync(
      pipeline,
      'name: labels-only\njoin_threshold: 0.5\ndeploy_lookback: 30m\nticket_window: 1h\ncorrelators:\n  - {type: labels, group_by: [alertname], window: 15m, score: 0.5, max_age: 1h}\n',
    );
    const r = await runEval({ dir: root, pipelineFile: pipeline });
    expect(r.scenarios.map((s) => s.pipeline)).toEqual(['labels-only', 'labels-only']);
    // Grouped by alertname alone, HE, PG and HL no longer share an incident.
    expect(r.scenarios[0]!.ours.scores.pairwiseRecall).toBe(0);
  });

  it.each([
    ['a truth.json that is missing', (root: string) => rmSync(join(root, 's2', 'truth.json')), InputError, /s2\/truth\.json: missing/],
    ['a truth alert the replay never received', (root: string) => writeFileSync(join(root, 's1', 'truth.json'), JSON.stringify({ incidents: [{ id: 'x', alerts: ['0123456789abcdef'] }] })), InputError, /s1\/truth\.json: incidents\[0\]\.alerts\[0\]: 0123456789abcdef is not an alert of the replay/],
    ['a truth.json with an unknown key', (root: string) => writeFileSync(join(root, 's1', 'truth.json'), JSON.stringify({ incidents: [], unlinked: [] })), InputError, /s1\/truth\.json: unlinked: unknown field/],
    ['a thresholds.yaml with a misspelt metric', (root: string) => writeFileSync(join(root, 'thresholds.yaml'), 'corpus: {pairwiseF2: 0.8}\n'), ConfigError, /thresholds\.yaml: corpus\.pairwiseF2: unknown field/],
    ['a thresholds.yaml that is not YAML', (root: string) => writeFileSync(join(root, 'thresholds.yaml'), 'corpus: {a: 1\n'), ConfigError, /thresholds\.yaml:\d+:\d+: /],
    ['no thresholds.yaml', (root: string) => rmSync(join(root, 'thresholds.yaml')), ConfigError, /thresholds\.yaml: missing/],
    ['a scenario without a capture', (root: string) => rmSync(join(root, 's1', 'capture.ndjson')), InputError, /s1: not a scenario: no capture\.ndjson/],
    ['a bad config', (root: string) => writeFileSync(join(root, 's1', 'config', 'stormcell.yaml'), 'resolve_timeout: soon\n'), ConfigError, /stormcell\.yaml: resolve_timeout: expected a duration/],
  ])('refuses %s', async (_name, spoil, type, message) => {
    const root = corpus();
    spoil(root);
    const err = await runEval({ dir: root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    expect((err as Error).message).toMatch(message);
  });
});

describe('evalCommand', () => {
  it('prints a Markdown table and exits 0 when every bar holds', async () => {
    const io = collector();
    expect(await evalCommand([corpus()], io)).toBe(0);
    expect(io.out).toContain('| scenario | alerts | incidents (ours / truth / AM) | pairwise P |');
    expect(io.out).toMatch(/^\| s1 \| 4 \| 2 \/ 2 \/ 4 \| 1\.000 \| 1\.000 \| 1\.000 \| 0\.000 \| 1\.000 \| 0\.000 \|/m);
    expect(io.out).toMatch(/^\| \*\*corpus\*\* \| 8 \| 4 \/ 3 \/ 8 \| 1\.000 \| 0\.666 \| 0\.800 \|/m);
    expect(io.out).toContain('All thresholds hold.');
    expect(io.err).toBe('');
  });

  it('prints each failed bar on stderr and exits 1', async () => {
    const io = collector();
    expect(await evalCommand([corpus('corpus: {pairwiseF1: 0.85}\n')], io)).toBe(1);
    expect(io.err).toBe('eval: corpus pairwiseF1 0.8 < 0.85\n');
    expect(io.out).toContain('- corpus pairwiseF1 0.8 < 0.85');
  });

  it('--json --out writes the full result to the file', async () => {
    const io = collector();
    expect(await evalCommand([corpus(), '--json', '--out', 'result.json', '--baseline-group-by', 'cluster, alertname'], io)).toBe(0);
    expect(io.out).toBe('');
    const r = JSON.parse(io.files['result.json'] as string);
    expect(r.baselineGroupBy).toEqual(['cluster', 'alertname']);
    expect(r.corpus.ours.counts.pairs).toEqual({ alerts: 8, pairs: 12, tp: 6, fp: 0, fn: 3 });
    expect(r.exitCode).toBe(0);
  });

  it.each([
    [[], /eval expects one DIR, got 0/],
    [['a', 'b'], /eval expects one DIR, got 2/],
    [['a', '--bogus'], /Unknown option '--bogus'/],
    [['a', '--baseline-group-by', 'cluster,,x'], /--baseline-group-by: expected label names/],
  ])('refuses arguments %j with a ConfigError (exit 2)', async (args, message) => {
    const err = await evalCommand(args, collector()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
  });

  it('reports requests the receivers refuse once per scenario', async () => {
    const root = corpus();
    writeFileSync(join(root, 's1', 'capture.ndjson'), readFileSync(join(root, 's1', 'capture.ndjson'), 'utf8') + line('12:00:00', '/api/v2/alerts', [{ labels: {} }]) + '\n');
    const io = collector();
    expect(await evalCommand([root], io)).toBe(0);
    expect(io.err).toMatch(/^eval: s1: 1 request\(s\) refused as the server would refuse them, skipped; first: .*capture\.ndjson:8: alerts\[0\]\.labels/);
  });
});
