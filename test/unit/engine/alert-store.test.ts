import { describe, expect, it } from 'vitest';
import { AlertStore } from '../../../src/engine/alert-store.js';
import { alert, at } from '../../support/engine-dsl.js';

const L = { alertname: 'HighErrorRate', service: 'checkout' };
const FIVE_MIN = 5 * 60_000;

describe('AlertStore (Alertmanager semantics)', () => {
  it('folds re-sends into one alert and keeps the earliest startsAt of an HA pair', () => {
    const s = new AlertStore(FIVE_MIN);
    expect(s.receive(alert(at('10:00:00'), L, { startsAt: at('09:59:30'), endsAt: at('10:04:00') }), at('10:00:00')).change).toBe('new-firing');
    const b = s.receive(alert(at('10:00:02'), L, { startsAt: at('09:59:27'), endsAt: at('10:04:02') }), at('10:00:02'));
    expect(b.change).toBe('unchanged');
    expect(s.alerts.size).toBe(1);
    expect(b.record.startsAt).toBe(at('09:59:27'));
    expect(b.record.endsAt).toBe(at('10:04:02'));
    expect(b.record.receivedCount).toBe(2);
  });

  it('takes the annotations of the latest send, keeping its own copy when they did not change', () => {
    const s = new AlertStore(FIVE_MIN);
    const first = { summary: 'errors high' };
    s.receive(alert(at('10:00:00'), L, { annotations: first }), at('10:00:00'));
    const same = s.receive(alert(at('10:01:00'), L, { annotations: { summary: 'errors high' } }), at('10:01:00'));
    expect(same.record.annotations).toBe(first);
    const changed = { summary: 'errors very high' };
    const next = s.receive(alert(at('10:02:00'), L, { annotations: changed }), at('10:02:00'));
    expect(next.record.annotations).toEqual({ summary: 'errors very high' });
    const fewer = s.receive(alert(at('10:03:00'), L, { annotations: {} }), at('10:03:00'));
    expect(fewer.record.annotations).toEqual({});
  });

  it('resolves an alert without endsAt after resolve_timeout when it is not re-sent', () => {
    const s = new AlertStore(FIVE_MIN);
    s.receive(alert(at('10:00:00'), L), at('10:00:00'));
    expect(s.expire(at('10:04:59'))).toEqual([]);
    const resolved = s.expire(at('10:05:00'));
    expect(resolved.map((r) => r.fingerprint)).toHaveLength(1);
    expect(s.get(resolved[0]!.fingerprint)!.status).toBe('resolved');
  });

  it('a re-send pushes the timeout out', () => {
    const s = new AlertStore(FIVE_MIN);
    s.receive(alert(at('10:00:00'), L), at('10:00:00'));
    s.receive(alert(at('10:04:00'), L, { startsAt: at('10:00:00') }), at('10:04:00'));
    expect(s.expire(at('10:08:59'))).toEqual([]);
    expect(s.expire(at('10:09:00'))).toHaveLength(1);
  });

  it('an endsAt in the past resolves at once, and the explicit end beats an earlier timeout', () => {
    const s = new AlertStore(FIVE_MIN);
    s.receive(alert(at('10:00:00'), L), at('10:00:00'));
    const r = s.receive(alert(at('10:01:00'), L, { startsAt: at('10:00:00'), endsAt: at('10:00:50') }), at('10:01:00'));
    expect(r.change).toBe('resolved');
    expect(r.record.endsAt).toBe(at('10:00:50'));
    expect(r.record.history.map((h) => h.status)).toEqual(['firing', 'resolved']);
  });

  it('a webhook alert without endsAt stays firing until a resolve arrives', () => {
    const s = new AlertStore(FIVE_MIN);
    s.receive(alert(at('10:00:00'), L, { source: 'webhook' }), at('10:00:00'));
    expect(s.expire(at('23:00:00'))).toEqual([]);
    expect(s.alerts.values().next().value!.status).toBe('firing');
    const r = s.receive(alert(at('23:00:01'), L, { source: 'webhook', endsAt: at('23:00:00') }), at('23:00:01'));
    expect(r.change).toBe('resolved');
  });

  it('folds a flap into the same alert with a state history', () => {
    const s = new AlertStore(FIVE_MIN);
    s.receive(alert(at('10:00:00'), L, { endsAt: at('10:01:00') }), at('10:00:00'));
    s.expire(at('10:01:00'));
    const again = s.receive(alert(at('10:03:00'), L, { startsAt: at('10:02:30'), endsAt: at('10:07:00') }), at('10:03:00'));
    expect(again.change).toBe('refired');
    expect(again.record.history.map((h) => [h.status, new Date(h.at).toISOString().slice(11, 19)])).toEqual([
      ['firing', '10:00:00'],
      ['resolved', '10:01:00'],
      ['firing', '10:02:30'],
    ]);
    expect(s.alerts.size).toBe(1);
  });

  it('a stale resolved re-send does not change a resolved alert', () => {
    const s = new AlertStore(FIVE_MIN);
    s.receive(alert(at('10:00:00'), L, { endsAt: at('10:00:00') }), at('10:00:00'));
    const r = s.receive(alert(at('10:01:00'), L, { startsAt: at('09:58:00'), endsAt: at('10:00:00') }), at('10:01:00'));
    expect(r.change).toBe('unchanged');
    expect(r.record.status).toBe('resolved');
  });

  it('an alert re-sent many times keeps one expiry entry and still resolves at its last endsAt', () => {
    const s = new AlertStore(FIVE_MIN);
    for (let m = 0; m < 30; m++) {
      s.receive(alert(at('10:00:00') + m * 60_000, L, { startsAt: at('10:00:00'), endsAt: at('10:04:00') + m * 60_000 }), at('10:00:00') + m * 60_000);
      expect(s.expire(at('10:00:00') + m * 60_000 + 30_000)).toEqual([]);
    }
    expect(s.expire(at('10:32:59'))).toEqual([]); // the last send (10:29) said endsAt 10:33:00
    expect(s.expire(at('10:33:00')).map((a) => a.endsAt)).toEqual([at('10:33:00')]);
  });

  it('expires in endsAt order however buckets were filled, also across big clock jumps', () => {
    const s = new AlertStore(FIVE_MIN);
    const names = ['c', 'a', 'b'];
    names.forEach((n, i) => s.receive(alert(at('10:00:00'), { alertname: n }, { endsAt: at('10:00:10') + (2 - i) * 100 }), at('10:00:00')));
    const out = s.expire(at('18:00:00'));
    expect(out.map((r) => r.labels['alertname'])).toEqual(['b', 'a', 'c']);
  });
});
