import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { replayCapture, type ReplayDocument } from '../../src/replay.js';

/**
 * The scenario corpus: each folder holds a capture, its config and the incidents an SRE would draw.
 * An expected incident names its alerts by label selectors (`alertname=X,service=y`); every received alert must
 * land in exactly one incident, and the replayed partition must equal the expected one.
 */
interface ExpectedIncident {
  alerts: string[];
  status?: 'open' | 'resolved';
  severity?: string;
  rootCause?: string;
  suspectedDeploys?: string[];
  tickets?: string[];
  resolvedAt?: string;
  timelineTypes?: Record<string, number>;
}

const ROOT = new URL('.', import.meta.url).pathname;
const SCENARIOS = readdirSync(ROOT).filter((d) => !d.startsWith('_') && !d.startsWith('.') && statSync(join(ROOT, d)).isDirectory());
/** Scenarios with hand-written expectations; the rest are scored by `stormcell eval` against truth.json. */
const WITH_EXPECTED = SCENARIOS.filter((d) => existsSync(join(ROOT, d, 'expected.json')));

function matches(labels: Record<string, string>, selector: string): boolean {
  return selector.split(',').every((kv) => {
    const [k, v] = kv.split('=');
    return labels[k as string] === v;
  });
}

async function replay(name: string): Promise<ReplayDocument> {
  const config = await loadConfig(join(ROOT, name, 'config'));
  return replayCapture(join(ROOT, name, 'capture.ndjson'), config, (where, msg) => {
    throw new Error(`${where}: scenario captures hold only valid requests: ${msg}`);
  });
}

describe('scenario corpus', () => {
  it('has scenarios', () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(3);
  });

  it.each(SCENARIOS)('%s replays deterministically with every alert in exactly one incident', async (name) => {
    const doc = await replay(name);
    expect(JSON.stringify(await replay(name))).toBe(JSON.stringify(doc));
    const all = doc.incidents.flatMap((i) => i.alerts);
    expect(new Set(all.map((a) => a.fingerprint)).size).toBe(all.length);
    // Burn alerts are stormcell's own; every received alert is counted in stats.
    expect(all.filter((a) => a.origin !== 'slo').length).toBe(doc.stats.alerts);
  });

  it.each(WITH_EXPECTED)('%s replays to the expected incidents', async (name) => {
    const expected = JSON.parse(readFileSync(join(ROOT, name, 'expected.json'), 'utf8')) as { incidents: ExpectedIncident[] };
    const doc = await replay(name);
    expect(JSON.stringify(await replay(name))).toBe(JSON.stringify(doc));

    const seen = doc.incidents.flatMap((i) => i.alerts.filter((a) => a.origin !== 'slo').map((a) => a.fingerprint));
    expect(new Set(seen).size).toBe(seen.length); // exactly one incident per alert
    expect(seen.length).toBe(doc.stats.alerts);

    const actual = doc.incidents.map((inc) => ({ inc, fps: new Set(inc.alerts.map((a) => a.fingerprint)) }));
    const used = new Set<number>();
    for (const exp of expected.incidents) {
      const fps = new Set(
        doc.incidents.flatMap((i) => i.alerts).filter((a) => exp.alerts.some((s) => matches(a.labels, s))).map((a) => a.fingerprint),
      );
      expect(fps.size, `selectors ${exp.alerts.join(' | ')} match no alert`).toBeGreaterThan(0);
      const idx = actual.findIndex((a) => a.fps.size === fps.size && [...fps].every((f) => a.fps.has(f)));
      expect(idx, `no incident holds exactly ${exp.alerts.join(' | ')}; got ${JSON.stringify(doc.incidents.map((i) => i.title))}`).toBeGreaterThanOrEqual(0);
      used.add(idx);
      const inc = actual[idx]!.inc;
      if (exp.status !== undefined) expect(inc.status).toBe(exp.status);
      if (exp.severity !== undefined) expect(inc.severity).toBe(exp.severity);
      if (exp.rootCause !== undefined) expect(inc.rootCause?.entity).toBe(exp.rootCause);
      if (exp.resolvedAt !== undefined) expect(inc.resolvedAt).toBe(exp.resolvedAt);
      if (exp.suspectedDeploys !== undefined) expect(inc.suspectedDeploys.map((d) => `${d.service} ${d.version}`)).toEqual(exp.suspectedDeploys);
      if (exp.tickets !== undefined) expect(inc.tickets).toEqual(exp.tickets);
      if (exp.timelineTypes !== undefined) {
        const { timeline } = await replayTimeline(name, inc.id);
        for (const [type, n] of Object.entries(exp.timelineTypes)) expect(timeline.filter((t) => t.type === type)).toHaveLength(n);
      }
    }
    expect(doc.incidents.length, 'more incidents than expected').toBe(expected.incidents.length);
  });
});

/** Timelines are not in the replay document; rebuild the engine through the same replay path to read one. */
async function replayTimeline(name: string, id: string): Promise<{ timeline: Array<{ type: string }> }> {
  const { Engine } = await import('../../src/engine/index.js');
  const { applyRecord, parseCaptureLine } = await import('../../src/ingest/index.js');
  const config = await loadConfig(join(ROOT, name, 'config'));
  const engine = new Engine(config.engine);
  readFileSync(join(ROOT, name, 'capture.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .forEach((l, i) => applyRecord(engine, parseCaptureLine(l, `${name}:${i + 1}`), i));
  const inc = engine.incidentWithTimeline(id);
  if (inc === undefined) throw new Error(`incident ${id} not found`);
  return inc;
}
