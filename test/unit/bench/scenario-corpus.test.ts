import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeScenarios, type RenderedScenario } from '../../../bench/scenario-corpus.js';
import { parseTruth, type Truth } from '../../../src/eval/index.js';
import { parseCaptureLine } from '../../../src/ingest/index.js';
import { RECEIVER_PATHS, type Event } from '../../../src/model/index.js';
import { normalize } from '../../../src/normalize/index.js';

/**
 * The scenario corpus (test/scenarios) is well formed: captures hold only valid CONTRACT §2 lines, every truth.json
 * names alerts, tickets, deploys and root causes that the capture and topology have, and the committed files are
 * exactly what bench/write-scenarios.ts writes.
 */
const ROOT = new URL('../../scenarios/', import.meta.url).pathname;
const SCENARIOS = readdirSync(ROOT).filter((d) => !d.startsWith('_') && !d.startsWith('.') && statSync(join(ROOT, d)).isDirectory()).sort();

interface Scenario {
  readonly name: string;
  readonly events: readonly Event[];
  readonly lines: number;
  readonly bytes: number;
  readonly truth: Truth;
  readonly topologyIds: ReadonlySet<string> | null;
}

/** Reads one scenario, checking every capture line on the way (the first bad line throws, naming it). */
function load(name: string): Scenario {
  const dir = join(ROOT, name);
  const text = readFileSync(join(dir, 'capture.ndjson'), 'utf8');
  expect(text.endsWith('\n'), `${name}: capture ends with a newline`).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  const events: Event[] = [];
  let prevTs = -Infinity;
  lines.forEach((line, i) => {
    const where = `${name}/capture.ndjson:${i + 1}`;
    const raw = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(raw), where).toEqual(['ts', 'path', 'body']);
    expect(RECEIVER_PATHS, where).toContain(raw.path);
    const record = parseCaptureLine(line, where);
    expect(record.ts, `${where}: ts in delivery order`).toBeGreaterThanOrEqual(prevTs);
    prevTs = record.ts;
    // The receivers would accept it: normalize throws InputError on anything they refuse.
    events.push(...normalize(record.path, record.body, record.ts));
  });
  const truth = parseTruth(JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')), `${name}/truth.json`);
  const topologyFile = join(dir, 'config', 'topology.yaml');
  const topologyIds = existsSync(topologyFile)
    ? new Set((parse(readFileSync(topologyFile, 'utf8')) as { entities: Array<{ id: string }> }).entities.map((e) => e.id))
    : null;
  return { name, events, lines: lines.length, bytes: Buffer.byteLength(text), truth, topologyIds };
}

const loaded = new Map<string, Scenario>();
const scenario = (name: string): Scenario => {
  let s = loaded.get(name);
  if (s === undefined) {
    s = load(name);
    loaded.set(name, s);
  }
  return s;
};

describe('the scenario corpus', () => {
  it('has the hand-written, generated and legacy scenarios, each with capture, config and truth', () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(15);
    expect(SCENARIOS.filter((n) => n.startsWith('gen-')).length).toBeGreaterThanOrEqual(4);
    for (const name of SCENARIOS) {
      for (const f of ['capture.ndjson', 'config', 'truth.json']) expect(existsSync(join(ROOT, name, f)), `${name}/${f}`).toBe(true);
    }
    // Correlation must also work without topology: some scenarios have none.
    expect(SCENARIOS.filter((n) => !existsSync(join(ROOT, n, 'config', 'topology.yaml'))).length).toBeGreaterThanOrEqual(3);
  });

  it.each(SCENARIOS)('%s: every capture line is a valid CONTRACT §2 request, in delivery order', (name) => {
    const s = scenario(name);
    expect(s.lines).toBeGreaterThan(0);
    expect(s.events.some((e) => e.kind === 'alert')).toBe(true);
  });

  it.each(SCENARIOS)('%s: truth.json names alerts, tickets, deploys and root causes the scenario has', (name) => {
    const s = scenario(name);
    const alerts = new Set(s.events.flatMap((e) => (e.kind === 'alert' ? [e.fingerprint] : [])));
    const tickets = new Set(s.events.flatMap((e) => (e.kind === 'ticket' ? [e.id] : [])));
    const deploys = new Set(s.events.flatMap((e) => (e.kind === 'deploy' ? [`${e.service} ${e.version}`] : [])));
    const owner = new Map<string, string>();
    expect(s.truth.incidents.length).toBeGreaterThan(0);
    for (const inc of s.truth.incidents) {
      for (const fp of inc.alerts) {
        expect(alerts.has(fp), `${inc.id}: alert ${fp} is not in the capture`).toBe(true);
        expect(owner.get(fp), `alert ${fp} is in two incidents`).toBeUndefined();
        owner.set(fp, inc.id);
      }
      for (const t of inc.tickets) expect(tickets.has(t), `${inc.id}: ticket ${t} is not in the capture`).toBe(true);
      for (const d of inc.deploys) expect(deploys.has(`${d.service} ${d.version}`), `${inc.id}: deploy ${d.service} ${d.version}`).toBe(true);
      if (inc.rootCause !== null) {
        expect(s.topologyIds, `${inc.id}: a root cause needs a topology`).not.toBeNull();
        expect(s.topologyIds?.has(inc.rootCause), `${inc.id}: root cause ${inc.rootCause} is not a topology entity`).toBe(true);
      }
    }
    for (const t of s.truth.unlinkedTickets) expect(tickets.has(t), `unlinked ticket ${t} is not in the capture`).toBe(true);
  });

  it('stays small enough for CI: under 40 MB of captures, none over 10 MB', () => {
    const sizes = SCENARIOS.map((n) => statSync(join(ROOT, n, 'capture.ndjson')).size);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(40e6);
    for (const [i, size] of sizes.entries()) expect(size, SCENARIOS[i]).toBeLessThan(10e6);
  });
});

describe('bench/write-scenarios.ts', () => {
  let out: string;
  let written: RenderedScenario[];
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'stormcell-scenarios-'));
    written = writeScenarios(out, ROOT);
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes every scenario directory of the corpus, and no other', () => {
    expect(written.map((s) => s.name).sort()).toEqual(SCENARIOS);
  });

  it('regenerates the committed corpus byte for byte', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile()).sort();
    for (const s of written) {
      const mine = files(join(out, s.name));
      const committed = files(join(ROOT, s.name));
      // Legacy scenarios keep their hand-typed capture, config and expected.json; the writer owns only truth.json.
      if (s.kind === 'legacy') expect(mine).toEqual(['truth.json']);
      else expect(committed, `${s.name}: committed files`).toEqual(mine);
      for (const f of mine) {
        const same = readFileSync(join(out, s.name, f)).equals(readFileSync(join(ROOT, s.name, f)));
        expect(same, `${relative(out, join(out, s.name, f))} differs from the committed file: run bench/write-scenarios.ts`).toBe(true);
      }
    }
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toBe(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  });
});
