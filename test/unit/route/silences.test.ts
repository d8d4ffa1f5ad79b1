import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { Silencer, silenceState } from '../../../src/route/index.js';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const MIN = 60_000;

function counter(): () => string {
  let n = 0;
  return () => `s${++n}`;
}

const spec = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  matchers: [{ name: 'service', value: 'checkout', isRegex: false, isEqual: true }],
  startsAt: T0,
  endsAt: T0 + 60 * MIN,
  createdBy: 'alice',
  comment: 'deploy window',
  ...over,
});

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return null;
}

describe('Silencer.add validation', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['no matchers', { matchers: [] }, 'matchers: expected at least 1 item(s), got 0'],
    ['an empty name', { matchers: [{ name: '', value: 'x', isRegex: false }] }, 'matchers[0].name: must not be empty'],
    ['a bad regex', { matchers: [{ name: 'a', value: 'x', isRegex: false }, { name: 'b', value: '(x', isRegex: true }] },
      'matchers[1].value: invalid regular expression "(x": Unterminated group'],
    ['only matchers that match the empty string', { matchers: [{ name: 'a', value: '', isRegex: false }, { name: 'b', value: '.*', isRegex: true }] },
      'matchers: at least one matcher must not match the empty string'],
    ['a regex that matches the empty string alone', { matchers: [{ name: 'a', value: 'x?', isRegex: true }] },
      'matchers: at least one matcher must not match the empty string'],
    ['endsAt before startsAt', { endsAt: T0 - 1 }, 'endsAt: must be after startsAt'],
    ['endsAt equal to startsAt', { endsAt: T0 }, 'endsAt: must be after startsAt'],
    ['endsAt in the past', { startsAt: T0 - 120 * MIN, endsAt: T0 - 60 * MIN }, 'endsAt: must not be in the past'],
    ['a non-boolean isRegex', { matchers: [{ name: 'a', value: 'x', isRegex: 'yes' }] }, 'matchers[0].isRegex: expected a boolean, got "yes"'],
    ['a missing comment', { comment: undefined }, 'comment: missing, expected a string'],
    ['an unknown field', { id: 'mine' }, 'id: unknown field'],
    ['a string instant', { endsAt: '2026-03-01T11:00:00Z' }, 'endsAt: expected an instant in epoch milliseconds, got "2026-03-01T11:00:00Z"'],
  ])('refuses %s', (_name, over, message) => {
    const s = new Silencer(counter());
    const body = spec(over);
    for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
    const err = thrown(() => s.add(body, T0));
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(message);
    expect(s.list(T0)).toEqual([]);
  });

  it.each<[string, Array<Record<string, unknown>>]>([
    ['a negative matcher alone (Alertmanager never counts != and !~ as matching "")', [{ name: 'env', value: 'prod', isRegex: false, isEqual: false }]],
    ['one matcher that needs a value next to ones that do not', [{ name: 'a', value: '', isRegex: false }, { name: 'b', value: '.+', isRegex: true }]],
  ])('accepts %s', (_name, matchers) => {
    const s = new Silencer(counter());
    expect(s.add(spec({ matchers }), T0)).toBe('s1');
  });
});

describe('Silencer lifecycle', () => {
  it('moves a silence from pending to active to expired', () => {
    const s = new Silencer(counter());
    const id = s.add(spec({ startsAt: T0 + 10 * MIN, endsAt: T0 + 20 * MIN }), T0);
    const labels = { service: 'checkout', env: 'prod' };
    expect(s.list(T0).map((x) => x.state)).toEqual(['pending']);
    expect(s.silencing(labels, T0)).toEqual([]);
    expect(s.silencing(labels, T0 + 10 * MIN)).toEqual([id]);
    expect(s.silencing(labels, T0 + 20 * MIN - 1)).toEqual([id]);
    expect(s.silencing(labels, T0 + 20 * MIN)).toEqual([]);
    expect(s.list(T0 + 20 * MIN).map((x) => x.state)).toEqual(['expired']);
  });

  it('starts a silence whose startsAt is in the past (or missing) at now', () => {
    const s = new Silencer(counter());
    const a = s.add(spec({ startsAt: T0 - 5 * MIN }), T0);
    const b = s.add(spec({ startsAt: undefined }), T0 + MIN);
    expect(s.get(a)?.startsAt).toBe(T0);
    expect(s.get(b)?.startsAt).toBe(T0 + MIN);
    expect(s.get(b)?.updatedAt).toBe(T0 + MIN);
  });

  it('matches with regex and negative matchers, a missing label being ""', () => {
    const s = new Silencer(counter());
    const id = s.add(spec({ matchers: [
      { name: 'team', value: 'db|storage', isRegex: true },
      { name: 'env', value: 'prod', isRegex: false, isEqual: false },
      { name: 'instance', value: 'canary-.*', isRegex: true, isEqual: false },
    ] }), T0);
    expect(s.silencing({ team: 'db', env: 'staging' }, T0)).toEqual([id]);
    expect(s.silencing({ team: 'db' }, T0)).toEqual([id]);
    expect(s.silencing({ team: 'dbx' }, T0)).toEqual([]);
    expect(s.silencing({ team: 'db', env: 'prod' }, T0)).toEqual([]);
    expect(s.silencing({ team: 'db', instance: 'canary-1' }, T0)).toEqual([]);
  });

  it('expires an active silence at now, a pending one at once, an expired one not again', () => {
    const s = new Silencer(counter());
    const active = s.add(spec(), T0);
    const pending = s.add(spec({ startsAt: T0 + 30 * MIN }), T0);
    const labels = { service: 'checkout' };
    s.expire(active, T0 + 5 * MIN);
    s.expire(pending, T0 + 5 * MIN);
    expect(s.silencing(labels, T0 + 5 * MIN)).toEqual([]);
    expect(s.get(active)).toMatchObject({ startsAt: T0, endsAt: T0 + 5 * MIN, updatedAt: T0 + 5 * MIN });
    expect(s.get(pending)).toMatchObject({ startsAt: T0 + 5 * MIN, endsAt: T0 + 5 * MIN });
    expect(silenceState(s.get(pending)!, T0 + 40 * MIN)).toBe('expired');
    s.expire(active, T0 + 9 * MIN);
    expect(s.get(active)?.endsAt).toBe(T0 + 5 * MIN);
    const err = thrown(() => s.expire('nope', T0));
    expect(err).toBeInstanceOf(InputError);
    expect(err).toMatchObject({ message: 'silence "nope" not found', status: 404 });
  });

  it('lists active (soonest end first), then pending (soonest start first), then expired (latest end first)', () => {
    const s = new Silencer(counter());
    s.add(spec({ endsAt: T0 + 50 * MIN }), T0); // s1 active
    s.add(spec({ endsAt: T0 + 20 * MIN }), T0); // s2 active
    s.add(spec({ startsAt: T0 + 40 * MIN, endsAt: T0 + 90 * MIN }), T0); // s3 pending
    s.add(spec({ startsAt: T0 + 30 * MIN, endsAt: T0 + 90 * MIN }), T0); // s4 pending
    s.add(spec({ endsAt: T0 + 2 * MIN }), T0); // s5 expired by T0 + 10m
    s.add(spec({ endsAt: T0 + 5 * MIN }), T0); // s6 expired by T0 + 10m
    expect(s.list(T0 + 10 * MIN).map((x) => `${x.id}:${x.state}`)).toEqual([
      's2:active', 's1:active', 's4:pending', 's3:pending', 's6:expired', 's5:expired',
    ]);
  });

  it('garbage-collects silences ended longer than the retention ago', () => {
    const s = new Silencer(counter());
    s.add(spec({ endsAt: T0 + 10 * MIN }), T0);
    s.add(spec({ endsAt: T0 + 60 * MIN }), T0);
    expect(s.gc(T0 + 10 * MIN + 30 * MIN - 1, 30 * MIN)).toBe(0);
    expect(s.gc(T0 + 10 * MIN + 30 * MIN, 30 * MIN)).toBe(1);
    expect(s.list(T0).map((x) => x.id)).toEqual(['s2']);
  });

  it('refuses an id generator that repeats itself', () => {
    const s = new Silencer(() => 'same');
    s.add(spec(), T0);
    expect(() => s.add(spec(), T0)).toThrow('silence id generator returned "same" twice');
  });
});

describe('Silencer persistence', () => {
  it('round-trips through plain JSON', () => {
    const a = new Silencer(counter());
    const id = a.add(spec({ matchers: [{ name: 'alertname', value: 'Disk.*', isRegex: true }] }), T0);
    a.add(spec(), T0);
    a.expire('s2', T0 + MIN);
    const json = JSON.parse(JSON.stringify(a.toJSON())) as unknown;
    const b = new Silencer(counter());
    b.restore(json);
    expect(b.list(T0 + MIN)).toEqual(a.list(T0 + MIN));
    expect(b.silencing({ alertname: 'DiskFull', service: 'checkout' }, T0 + MIN)).toEqual([id]);
    expect(b.toJSON()).toEqual(a.toJSON());
  });

  it.each<[string, unknown, string]>([
    ['not an object', [], 'body: expected an object, got array'],
    ['a bad field', { silences: [{ id: 's1', matchers: [{ name: 'a', value: 'b', isRegex: false, isEqual: true }], startsAt: 0, endsAt: '1', createdBy: '', comment: '', updatedAt: 0 }] },
      'silences[0].endsAt: expected an integer, got "1"'],
    ['a duplicate id', { silences: [0, 1].map(() => ({ id: 's1', matchers: [{ name: 'a', value: 'b', isRegex: false, isEqual: true }], startsAt: 0, endsAt: 1, createdBy: '', comment: '', updatedAt: 0 })) },
      'silences[1].id: duplicate id "s1"'],
    ['a bad regex', { silences: [{ id: 's1', matchers: [{ name: 'a', value: '[', isRegex: true, isEqual: true }], startsAt: 0, endsAt: 1, createdBy: '', comment: '', updatedAt: 0 }] },
      'silences[0].matchers[0].value: invalid regular expression "[": Unterminated character class'],
  ])('refuses a snapshot with %s and keeps the current state', (_name, snapshot, message) => {
    const s = new Silencer(counter());
    s.add(spec(), T0);
    const err = thrown(() => s.restore(snapshot));
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(message);
    expect(s.list(T0).map((x) => x.id)).toEqual(['s1']);
  });
});
