/**
 * Kafka mode's stage one folds re-sends, and stage two sees only what changes state. The premise, without Kafka:
 * requests keyed by fingerprint into fold partitions, each fold's output split by correlation domain into one
 * engine per partition, the pieces put back together in event-time order, give exactly the single engine's
 * incidents, while stage two receives a fraction of the alert items. The stage-two engines are ticked by nothing
 * but what reaches them, and the folds by their input and by heartbeats at arbitrary times, as in Kafka.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateCaptureConfig } from '../../../bench/capture-config.js';
import { generateCapture } from '../../../bench/capture-generator.js';
import { loadConfig } from '../../../src/config/index.js';
import { Engine } from '../../../src/engine/index.js';
import { parseCaptureLine } from '../../../src/ingest/index.js';
import type { IncidentDoc } from '../../../src/model/index.js';
import { normalize } from '../../../src/normalize/index.js';
import { applyReleased, type AssembleItem } from '../../../src/scaleout/assemble.js';
import { createDomainRouter } from '../../../src/scaleout/index.js';
import { sloFoldPartition, splitForFold, splitForStageTwo } from '../../../src/scaleout/fold-keys.js';
import { Fold, type FoldOptions, type FoldOutput } from '../../../src/scaleout/fold.js';

const SCENARIOS = new URL('../../scenarios/', import.meta.url).pathname;

function shape(docs: readonly IncidentDoc[]): string[] {
  return docs.map((d) => `${d.id} ${d.status} ${d.severity} ${d.openedAt} ${d.resolvedAt ?? '-'} ${d.alerts.map((a) => `${a.fingerprint}:${a.status}`).sort().join(',')} ${d.rootCause?.entity ?? '-'} ${d.tickets.join(',')}`).sort();
}

interface Run {
  single: string[];
  folded: string[];
  singleSlos: string;
  foldedSlos: string;
  burns: number;
  alertItems: number;
  forwarded: number;
  extended: number;
}

async function compare(lines: readonly string[], configDir: string, name: string, opts: { folds: number; restoreEvery?: number }): Promise<Run> {
  const config = await loadConfig(configDir);
  const partitions = 6;
  const router = createDomainRouter({ partitions, label: 'cluster', topology: config.engine.topology, sloEntities: new Map(config.engine.slos.map((s) => [s.name, s.entity])) });
  const foldOptions: FoldOptions = {
    resolveTimeoutMs: config.engine.resolveTimeoutMs,
    retentionMs: config.engine.retentionMs,
    slos: config.engine.slos,
    alertPartition: (ev) => router.partitionOf(ev),
    sloPartition: (slo) => router.partitionOfSlo(slo),
  };
  const single = new Engine(config.engine);
  let folds = Array.from({ length: opts.folds }, () => new Fold(foldOptions));
  const outputs: Array<{ o: FoldOutput; f: number; n: number }> = [];
  let n = 0;
  let alertItems = 0;
  let lastTs = 0;
  lines.forEach((line, i) => {
    const rec = parseCaptureLine(line, `${name}:${i + 1}`);
    const events = normalize(rec.path, rec.body, rec.ts);
    alertItems += events.filter((e) => e.kind === 'alert').length;
    single.apply(events, rec.ts);
    lastTs = rec.ts;
    const pieces = splitForFold(events, 0, opts.folds);
    folds.forEach((fold, f) => {
      const p = pieces.get(f);
      // A fold hears of time through its own input and, now and then, a heartbeat.
      const out = p !== undefined ? fold.apply({ src: 0, off: i, ts: rec.ts, events: p.ev, ix: p.ix }) : (i + f) % 7 === 0 ? fold.advance(rec.ts) : [];
      for (const o of out) outputs.push({ o, f, n: n++ });
    });
    // A fold restored from its checkpoint carries on as if it never stopped.
    if (opts.restoreEvery !== undefined && i % opts.restoreEvery === 0) {
      folds = folds.map((fold) => Fold.restore(JSON.parse(JSON.stringify(fold.state())) as ReturnType<Fold['state']>, foldOptions));
    }
  });
  folds.forEach((fold, f) => fold.advance(lastTs).forEach((o) => outputs.push({ o, f, n: n++ })));

  // Stage two's reorder buffer: (ts, origin, fold partition, sequence).
  const key = (x: { o: FoldOutput; f: number; n: number }): number[] => [x.o.ts, x.o.origin?.[0] ?? -1, x.o.origin?.[1] ?? -1, x.f, x.n];
  outputs.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let k = 0; k < ka.length; k++) if (ka[k] !== kb[k]) return (ka[k] as number) - (kb[k] as number);
    return 0;
  });
  const perPartition: AssembleItem[][] = Array.from({ length: partitions }, () => []);
  let forwarded = 0;
  for (const { o } of outputs) {
    forwarded += o.ev.filter((e) => e.kind === 'alert').length;
    for (const [p, pc] of splitForStageTwo(router, o)) perPartition[p]?.push({ ts: o.ts, origin: o.origin, events: pc.ev, ix: pc.ix, x: pc.x, q: pc.q, ba: pc.ba });
  }
  const engines = perPartition.map((items) => {
    const e = new Engine(config.engine);
    applyReleased(e, items);
    e.advance(lastTs);
    return e;
  });
  const extended = folds.reduce((s, f) => s + f.counts.extended, 0);
  const burns = folds.reduce((s, f) => s + f.counts.burns, 0);
  // The SLOs as the folds count them (each SLO in the fold partition its samples are keyed to).
  const slos = folds.flatMap((f, i) => f.sloDocs((slo) => sloFoldPartition(slo, opts.folds) === i));
  return {
    single: shape(single.incidentDocs()),
    folded: shape(engines.flatMap((e) => e.incidentDocs())),
    singleSlos: JSON.stringify(single.sloDocs()),
    foldedSlos: JSON.stringify(slos.sort((a, b) => (a.name < b.name ? -1 : 1))),
    alertItems,
    forwarded,
    extended,
    burns,
  };
}

describe('the fold stage', () => {
  it.each(['gen-s23-us', 'bad-deploy', 'flapping', 'node-failure', 'slo-burn-deploy'])('%s: folded traffic gives the single engine\'s incidents', async (name) => {
    const lines = readFileSync(`${SCENARIOS}${name}/capture.ndjson`, 'utf8').split('\n').filter((l) => l !== '');
    const r = await compare(lines, `${SCENARIOS}${name}/config`, name, { folds: 4 });
    expect(r.folded).toEqual(r.single);
    expect(r.foldedSlos).toEqual(r.singleSlos);
    expect(r.forwarded).toBeLessThanOrEqual(r.alertItems);
  });

  it.each([
    { seed: 2, hours: 2, incidents: 300, folds: 3, restoreEvery: 500 },
    { seed: 1, hours: 6, incidents: 700, folds: 6, restoreEvery: undefined },
  ])('a generated estate of three clusters (seed $seed, $hours h): the same incidents from a fraction of the alert items', async ({ seed, hours, incidents, folds, restoreEvery }) => {
    const dir = mkdtempSync(join(tmpdir(), 'stormcell-fold-'));
    try {
      for (const [file, text] of Object.entries(generateCaptureConfig({ seed, clusters: 3 }))) writeFileSync(join(dir, file), text);
      const r = await compare(generateCapture({ seed, hours, clusters: 3 }), dir, `seed-${seed}`, { folds, ...(restoreEvery === undefined ? {} : { restoreEvery }) });
      expect(r.single.length).toBeGreaterThan(incidents);
      expect(r.folded).toEqual(r.single);
      expect(r.foldedSlos).toEqual(r.singleSlos);
      expect(r.extended).toBeGreaterThan(0);
      expect(r.burns).toBeGreaterThan(0); // the estate's SLOs burn, and the burns come from the folds
      // Re-sends are the bulk of the items; stage two sees well under half of them.
      expect(r.forwarded).toBeLessThan(r.alertItems * 0.5);
      console.log(`seed ${seed}: ${r.alertItems} alert items, ${r.forwarded} forwarded, ${r.extended} extensions, ${r.burns} burns`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
