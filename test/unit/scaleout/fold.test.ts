/**
 * The fold's rules on single alerts: which sends it folds, when it extends, and that stage two's engine, fed only
 * what the fold sends on, holds each alert as an engine fed every send does.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_OPTIONS, type Engine } from '../../../src/engine/index.js';
import type { AlertEvent, Event } from '../../../src/model/index.js';
import { applyReleased } from '../../../src/scaleout/assemble.js';
import { Fold, type FoldOptions, type FoldOutput } from '../../../src/scaleout/fold.js';
import { alert, at, engineWith } from '../../support/engine-dsl.js';

const MIN = 60_000;

function foldOptions(part = 0): FoldOptions {
  const { resolveTimeoutMs, retentionMs } = DEFAULT_ENGINE_OPTIONS;
  return { resolveTimeoutMs, retentionMs, slos: [], alertPartition: () => part, sloPartition: () => part };
}
const labels = { alertname: 'HighLatency', service: 'checkout', cluster: 'eu-1' };

/** Every send to one engine, only the fold's output to another; both driven to `until`. */
function run(sends: AlertEvent[], until: number): { single: Engine; folded: Engine; out: FoldOutput[]; fold: Fold } {
  const single = engineWith();
  const folded = engineWith();
  const fold = new Fold(foldOptions());
  const out: FoldOutput[] = [];
  sends.forEach((ev, i) => {
    single.apply([ev], ev.at);
    out.push(...fold.apply({ src: 0, off: i, ts: ev.at, events: [ev], ix: [0] }));
  });
  single.advance(until);
  out.push(...fold.advance(until));
  applyReleased(folded, out.map((o) => ({ ts: o.ts, origin: o.origin, events: o.ev as Event[], ix: o.ix, x: o.x })));
  folded.advance(until);
  return { single, folded, out, fold };
}

function states(e: Engine): unknown {
  return e.incidentDocs().map((d) => ({ status: d.status, resolvedAt: d.resolvedAt, alerts: e.alertStates(d.id) }));
}

describe('Fold', () => {
  const t0 = at('10:00:00');

  it('folds Prometheus re-sends into extensions due just before each end', () => {
    // A ruler re-sends every minute with endsAt four minutes ahead, for 30 minutes, then stops.
    const sends = Array.from({ length: 30 }, (_, i) => alert(t0 + i * MIN, labels, { startsAt: t0, endsAt: t0 + (i + 4) * MIN }));
    const { single, folded, out, fold } = run(sends, t0 + 60 * MIN);
    expect(out.filter((o) => o.ev.length > 0)).toHaveLength(1); // the first send only
    const extensions = out.flatMap((o) => o.x);
    expect(extensions.length).toBeGreaterThan(3);
    expect(extensions.length).toBeLessThan(15);
    // Each is stamped just before the end stage two was last told: the first send's, then each extension's.
    const told = [t0 + 4 * MIN, ...extensions.map((x) => x[1])];
    for (const o of out) if (o.origin === null) expect(told).toContain(o.ts + 1);
    expect(fold.counts).toMatchObject({ received: 30, forwarded: 1 });
    expect(states(folded)).toEqual(states(single));
    expect((states(single) as Array<{ resolvedAt: string }>)[0]?.resolvedAt).toBe(new Date(t0 + 33 * MIN).toISOString());
  });

  it('sends on a change of annotations, and a send after resolution (a flap)', () => {
    const sends = [
      alert(t0, labels, { endsAt: t0 + 4 * MIN, annotations: { summary: 'p99 1.2s' } }),
      alert(t0 + MIN, labels, { startsAt: t0, endsAt: t0 + 5 * MIN, annotations: { summary: 'p99 1.2s' } }),
      alert(t0 + 2 * MIN, labels, { startsAt: t0, endsAt: t0 + 6 * MIN, annotations: { summary: 'p99 2.5s' } }),
      alert(t0 + 20 * MIN, labels, { startsAt: t0 + 20 * MIN, endsAt: t0 + 24 * MIN, annotations: { summary: 'p99 2.5s' } }),
    ];
    const { single, folded, out } = run(sends, t0 + 40 * MIN);
    expect(out.filter((o) => o.ev.length > 0).map((o) => o.ts)).toEqual([t0, t0 + 2 * MIN, t0 + 20 * MIN]);
    expect(states(folded)).toEqual(states(single));
  });

  it('brings stage two up to the folded end before a send whose merge depends on it', () => {
    // An explicit end far ahead is folded; then a client without endsAt (a resolve_timeout end, earlier) and a new
    // summary is sent on. Merged into the stale end it would take the timeout and resolve at 10:07.
    const sends = [
      alert(t0, labels, { endsAt: t0 + 4 * MIN }),
      alert(t0 + MIN, labels, { startsAt: t0, endsAt: t0 + 15 * MIN }),
      alert(t0 + 2 * MIN, labels, { startsAt: t0, endsAt: null, annotations: { summary: 'now with a summary' } }),
    ];
    const { single, folded, out } = run(sends, t0 + 12 * MIN);
    expect(out.find((o) => o.ev.length > 0 && o.ts === t0 + 2 * MIN)?.x).toEqual([[sends[0]?.fingerprint, t0 + 15 * MIN, 0]]);
    expect(states(folded)).toEqual(states(single));
    expect((states(single) as Array<{ status: string }>)[0]?.status).toBe('open');
  });

  it('forgets a resolved alert on the retention grid, and then sends its next send on', () => {
    const retentionMs = 60 * MIN;
    const fold = new Fold({ ...foldOptions(), retentionMs });
    fold.apply({ src: 0, off: 0, ts: t0, events: [alert(t0, labels, { endsAt: t0 + 4 * MIN })], ix: [0] });
    fold.advance(t0 + 30 * MIN);
    expect(fold.size()).toBe(1);
    const resolvedAgain = alert(t0 + 30 * MIN, labels, { startsAt: t0, endsAt: t0 + 4 * MIN });
    expect(fold.apply({ src: 0, off: 1, ts: t0 + 30 * MIN, events: [resolvedAgain], ix: [0] })).toEqual([]); // nothing new
    fold.advance(t0 + 66 * MIN);
    expect(fold.size()).toBe(0);
    expect(fold.counts.forgotten).toBe(1);
    const late = alert(t0 + 67 * MIN, labels, { startsAt: t0, endsAt: t0 + 4 * MIN });
    expect(fold.apply({ src: 0, off: 2, ts: t0 + 67 * MIN, events: [late], ix: [0] })).toHaveLength(1);
  });

  it('restores from its state and carries on alike', () => {
    const sends = Array.from({ length: 12 }, (_, i) => alert(t0 + i * MIN, labels, { startsAt: t0, endsAt: t0 + (i + 4) * MIN }));
    const a = new Fold(foldOptions(2));
    const outA: FoldOutput[] = [];
    let b: Fold | null = null;
    const outB: FoldOutput[] = [];
    sends.forEach((ev, i) => {
      outA.push(...a.apply({ src: 0, off: i, ts: ev.at, events: [ev], ix: [0] }));
      if (i === 5) b = Fold.restore(JSON.parse(JSON.stringify(a.state())) as ReturnType<Fold['state']>, foldOptions(2));
      else if (b !== null) outB.push(...(b as Fold).apply({ src: 0, off: i, ts: ev.at, events: [ev], ix: [0] }));
    });
    outA.push(...a.advance(t0 + 30 * MIN));
    outB.push(...(b as unknown as Fold).advance(t0 + 30 * MIN));
    const after = outA.filter((o) => o.ts >= t0 + 6 * MIN - 1);
    expect(outB).toEqual(after);
    expect(outB.length).toBeGreaterThan(0);
  });
});
