import { describe, expect, it } from 'vitest';
import { parseTruth } from '../../../src/eval/index.js';
import { exportWindow, firstAlertArrival, sliceCapture, toScenarioTruth, type SliceContents } from '../../../src/learn/index.js';
import { fingerprint, parseRfc3339, type IncidentDoc } from '../../../src/model/index.js';

const T = (hhmmss: string): string => `2026-03-01T${hhmmss}.000Z`;
const ms = (s: string): number => parseRfc3339(s) as number;
const MIN = 60_000;

function incident(over: Partial<IncidentDoc> & { id: string }): IncidentDoc {
  return {
    title: over.id, severity: 'sev2', status: 'resolved', openedAt: T('10:00:00'), resolvedAt: T('10:30:00'),
    alerts: [], tickets: [], suspectedDeploys: [], rootCause: null, ...over,
  };
}

const checkout = { alertname: 'HighErrorRate', service: 'checkout' };
const crash = { alertname: 'KubePodCrashLooping', service: 'checkout' };
const disk = { alertname: 'NodeFilesystemAlmostFull', node: 'n1' };
const line = (ts: string, path: string, body: unknown): string => JSON.stringify({ ts, path, body });
const alertLine = (ts: string, labels: Record<string, string>): string => line(ts, '/api/v2/alerts', [{ labels, startsAt: ts }]);

const CAPTURE = [
  line(T('09:30:00'), '/webhook/tickets/generic', { id: 'OPS-1', title: 'checkout is slow', createdAt: T('09:30:00') }),
  alertLine(T('09:40:00'), disk),
  line(T('09:45:00'), '/webhook/deploys/generic', { service: 'checkout', version: 'v2', at: T('09:45:00') }),
  line(T('09:58:00'), '/webhook/tickets/generic', { id: 'HELP-9', title: 'where is my parcel', createdAt: T('09:58:00') }),
  alertLine(T('10:00:00'), checkout),
  alertLine(T('10:01:00'), crash),
  line(T('10:02:00'), '/api/v2/alerts', [{ labels: {} }]), // refused: no alertname
  '',
  alertLine(T('10:50:00'), disk),
];

describe('exportWindow', () => {
  it('runs from the margin before the opening, or before an earlier suspected deploy, to the margin after resolving', () => {
    const inc = incident({ id: 'a', suspectedDeploys: [{ service: 'checkout', version: 'v2', at: T('09:45:00'), score: 0.9 }] });
    expect(exportWindow(inc, 10 * MIN, ms)).toEqual({ from: ms(T('09:35:00')), to: ms(T('10:40:00')) });
    expect(exportWindow({ ...inc, suspectedDeploys: [] }, 10 * MIN, ms).from).toBe(ms(T('09:50:00')));
  });

  it('starts from when the first alert arrived, not from a startsAt long before the storm', () => {
    const inc = {
      ...incident({ id: 'a', openedAt: '2026-02-26T07:00:00.000Z' }),
      timeline: [
        { at: '2026-02-26T07:00:00.000Z', type: 'opened', message: 'incident opened' },
        { at: T('10:03:00'), type: 'alert-attached', message: 'HighLatency joined' },
        { at: T('10:01:00'), type: 'alert-attached', message: '[from inc-x] HighErrorRate opened the incident' },
      ],
    };
    expect(firstAlertArrival(inc, ms)).toBe(ms(T('10:01:00')));
    expect(exportWindow(inc, 10 * MIN, ms).from).toBe(ms(T('09:51:00')));
  });

  it('runs to the end of the recording while the incident is open', () => {
    expect(exportWindow(incident({ id: 'a', status: 'open', resolvedAt: null }), 0, ms).to).toBe(Infinity);
  });
});

describe('sliceCapture', () => {
  const source = () => (async function* () { yield* CAPTURE; })();

  it('keeps the lines in the window unchanged, in order, and says what they hold', async () => {
    const inc = incident({ id: 'a' });
    const s = await sliceCapture(source, 'cap', inc, { from: ms(T('09:50:00')), to: ms(T('10:40:00')) });
    expect(s.lines).toEqual(CAPTURE.slice(3, 7));
    expect([...s.alerts].sort()).toEqual([fingerprint(checkout), fingerprint(crash)].sort());
    expect([...s.tickets]).toEqual(['HELP-9']);
    expect(s.refused).toBe(1);
    expect(s.sourceFirstTs).toBe(ms(T('09:30:00')));
  });

  it('widens the window back to a linked ticket filed before it, and takes the lines between', async () => {
    const inc = incident({ id: 'a', tickets: ['OPS-1'] });
    const s = await sliceCapture(source, 'cap', inc, { from: ms(T('09:50:00')), to: ms(T('10:40:00')) });
    expect(s.window.from).toBe(ms(T('09:30:00')));
    expect(s.lines).toEqual(CAPTURE.slice(0, 7));
    expect([...s.deploys]).toEqual(['checkout@v2']);
  });

  it('names the line that is not a capture line', async () => {
    const bad = () => (async function* () { yield CAPTURE[0] as string; yield '{"ts":"x"'; })();
    await expect(sliceCapture(bad, 'cap.ndjson', incident({ id: 'a' }), { from: 0, to: Infinity })).rejects.toThrow(/^cap\.ndjson:2: not JSON/);
  });
});

describe('toScenarioTruth', () => {
  const slice: SliceContents = {
    alerts: new Set([fingerprint(checkout), fingerprint(crash), fingerprint(disk)]),
    tickets: new Set(['OPS-1', 'HELP-9']),
    deploys: new Set(['checkout@v2']),
  };
  const target = incident({
    id: 'inc-b',
    openedAt: T('10:00:00'),
    alerts: [
      { fingerprint: fingerprint(checkout), labels: checkout },
      { fingerprint: fingerprint(crash), labels: crash },
      { fingerprint: 'aaaaaaaaaaaaaaaa', labels: { alertname: 'OutsideTheSlice' } },
      { fingerprint: 'bbbbbbbbbbbbbbbb', labels: { alertname: 'ErrorBudgetBurn' }, origin: 'slo' },
    ],
    tickets: ['OPS-1', 'OPS-OLD'],
    suspectedDeploys: [
      { service: 'checkout', version: 'v2', at: T('09:45:00'), score: 0.9 },
      { service: 'search', version: 'v7', at: T('09:44:00'), score: 0.2 },
    ],
    rootCause: { entity: 'svc/checkout', score: 0.8 },
  });
  const other = incident({ id: 'inc-a', openedAt: T('09:40:00'), alerts: [{ fingerprint: fingerprint(disk), labels: disk }], rootCause: { entity: '{node="n1"}', score: 0.5 } });
  const elsewhere = incident({ id: 'inc-z', alerts: [{ fingerprint: 'cccccccccccccccc', labels: {} }] });

  it('puts the exported incident first, as stormcell formed it, restricted to the slice', () => {
    const truth = toScenarioTruth(target, [elsewhere, target, other], slice, new Set(['svc/checkout']));
    expect(truth).toEqual({
      incidents: [
        { id: 'inc-b', alerts: [fingerprint(checkout), fingerprint(crash)].sort(), rootCause: 'svc/checkout', deploys: [{ service: 'checkout', version: 'v2' }], tickets: ['OPS-1'] },
        // A root cause that is no topology entity is left out, as the corpus's truth leaves it out.
        { id: 'inc-a', alerts: [fingerprint(disk)] },
      ],
      unlinkedTickets: ['HELP-9'],
    });
    expect(() => parseTruth(truth, 'truth.json')).not.toThrow();
  });

  it('names no deploy that the slice does not hold', () => {
    const truth = toScenarioTruth(target, [], { ...slice, deploys: new Set() }, new Set());
    expect(truth?.incidents[0]).not.toHaveProperty('deploys');
    expect(truth?.incidents[0]).not.toHaveProperty('rootCause');
  });

  it('gives an alert to the first incident that claims it, so the truth stays valid', () => {
    const twice = incident({ id: 'inc-c', openedAt: T('10:10:00'), alerts: [{ fingerprint: fingerprint(crash), labels: crash }] });
    const truth = toScenarioTruth(target, [twice], slice, new Set());
    expect(truth?.incidents.map((i) => i.id)).toEqual(['inc-b']);
  });

  it('returns null when none of the incident\'s received alerts is in the slice', () => {
    expect(toScenarioTruth(target, [], { ...slice, alerts: new Set([fingerprint(disk)]) }, new Set())).toBeNull();
  });
});
