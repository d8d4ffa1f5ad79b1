import { describe, expect, it } from 'vitest';
import { baselineOfLines } from '../../../src/eval/baseline.js';
import { fingerprint } from '../../../src/model/index.js';

const line = (ts: string, path: string, body: unknown) => JSON.stringify({ ts: `2026-03-01T${ts}Z`, path, body });
const api = (ts: string, labels: Record<string, string>, extra: Record<string, string> = {}) => line(ts, '/api/v2/alerts', [{ labels, ...extra }]);
const webhook = (ts: string, status: 'firing' | 'resolved', labels: Record<string, string>) =>
  line(ts, '/webhook/alertmanager', { version: '4', status, alerts: [{ status, labels }] });

const X = (pod: string) => ({ alertname: 'X', cluster: 'c1', pod });
const OPTS = { groupBy: ['alertname', 'cluster'], resolveTimeoutMs: 5 * 60_000 };

describe('Alertmanager group_by baseline', () => {
  it('keeps a group while any alert fires and starts a new one after it went empty', () => {
    const lines = [
      api('10:00:00', X('p1')), // group 0; resolves 10:05 unless re-sent
      api('10:01:00', X('p2')), // group 0 (resolves 10:06)
      api('10:02:00', { alertname: 'Y', cluster: 'c1' }), // another key: group 1
      api('10:03:00', X('p1')), // re-send: p1 now ends 10:08
      api('10:07:00', X('p3')), // p2 resolved, p1 still fires: group 0
      line('10:08:30', '/webhook/tickets/generic', { id: 'T-1', title: 't', createdAt: '2026-03-01T10:08:30Z' }), // not an alert
      api('10:09:00', { alertname: 'X' }, {}), // no cluster: a key of its own, group 2
      api('10:20:00', X('p4')), // p1 ended 10:08, p3 10:12: the group is gone, group 3
      api('10:21:00', X('p1')), // p1 fires again: still in the first group it appeared in
      '',
    ];
    const { groupOf, groups } = baselineOfLines(lines, 'capture.ndjson', OPTS);
    expect(Object.fromEntries(groupOf)).toEqual({
      [fingerprint(X('p1'))]: 0,
      [fingerprint(X('p2'))]: 0,
      [fingerprint({ alertname: 'Y', cluster: 'c1' })]: 1,
      [fingerprint(X('p3'))]: 0,
      [fingerprint({ alertname: 'X' })]: 2,
      [fingerprint(X('p4'))]: 3,
    });
    expect(groups).toBe(4);
  });

  it('resolves an API alert exactly resolve_timeout after its last send, as the engine does', () => {
    const lines = [
      api('10:00:00', X('p1')), // fires until 10:05:00
      api('10:04:59', X('p2')), // p1 still fires: group 0; p2 fires until 10:09:59
      api('10:09:59', X('p3')), // p2 has just resolved: group 1
    ];
    const { groupOf } = baselineOfLines(lines, 'capture.ndjson', OPTS);
    expect([X('p1'), X('p2'), X('p3')].map((l) => groupOf.get(fingerprint(l)))).toEqual([0, 0, 1]);
  });

  it('keeps webhook alerts firing until resolved, and an explicit endsAt ends an API alert', () => {
    const Z = (pod: string) => ({ alertname: 'Z', cluster: 'c1', pod });
    const lines = [
      webhook('10:00:00', 'firing', Z('a')), // group 0, firing until resolved
      api('11:00:00', Z('b')), // an hour later the group still lives: group 0
      webhook('11:01:00', 'resolved', Z('a')),
      api('11:02:00', Z('c'), { endsAt: '2026-03-01T11:03:00Z' }), // b (until 11:05) keeps group 0 alive
      api('11:10:00', Z('d')), // b and c have ended: group 1
    ];
    const { groupOf } = baselineOfLines(lines, 'capture.ndjson', OPTS);
    expect([Z('a'), Z('b'), Z('c'), Z('d')].map((l) => groupOf.get(fingerprint(l)))).toEqual([0, 0, 0, 1]);
  });

  it('assigns an alert that arrives resolved, and skips requests the receivers refuse', () => {
    const lines = [
      api('10:00:00', X('p1'), { startsAt: '2026-03-01T09:00:00Z', endsAt: '2026-03-01T09:30:00Z' }), // resolved on arrival
      line('10:00:10', '/api/v2/alerts', [{ labels: {} }]), // refused: no labels
      api('10:01:00', X('p2')), // the group p1 started never fired: a new one
    ];
    const { groupOf, groups } = baselineOfLines(lines, 'capture.ndjson', OPTS);
    expect(groupOf.get(fingerprint(X('p1')))).toBe(0);
    expect(groupOf.get(fingerprint(X('p2')))).toBe(1);
    expect(groupOf.size).toBe(2);
    expect(groups).toBe(2);
  });

  it.each([
    { groupBy: ['cluster'], want: [0, 0, 0] },
    { groupBy: ['pod'], want: [0, 1, 1] },
    { groupBy: ['...'], want: [0, 1, 2] },
  ])('groups by $groupBy', ({ groupBy, want }) => {
    const labels = [X('p1'), { alertname: 'Y', cluster: 'c1', pod: 'p2' }, X('p2')];
    const lines = labels.map((l, i) => api(`10:0${i}:00`, l));
    const { groupOf } = baselineOfLines(lines, 'capture.ndjson', { ...OPTS, groupBy });
    expect(labels.map((l) => groupOf.get(fingerprint(l)))).toEqual(want);
  });

  it('throws on a line that is not a capture line, naming file and line', () => {
    expect(() => baselineOfLines([api('10:00:00', X('p1')), 'nope'], 'c.ndjson', OPTS)).toThrow(/^c\.ndjson:2: not JSON/);
  });
});
