import { describe, expect, it } from 'vitest';
import { Inhibitor, parseMatchers, type InhibitRule } from '../../../src/route/index.js';

const rule = (source: string, target: string, equal: string[]): InhibitRule => ({
  sourceMatchers: parseMatchers(source),
  targetMatchers: parseMatchers(target),
  equal,
});

describe('Inhibitor.isInhibited', () => {
  // inhibit_test.go TestInhibitRuleMatches: rule 2's only source matches both of its sides.
  const legacy = new Inhibitor([rule('s1="1"', 't1="1"', ['e']), rule('s2="1"', 't2="1"', ['e'])]);
  const sources: Record<string, string>[] = [{ s1: '1', t1: '2', e: '1' }, { s2: '1', t2: '1', e: '1' }];

  it.each<[string, Record<string, string>, number | null]>([
    ['matches the target of rule 1', { t1: '1', e: '1' }, 0],
    ['matches the target of rule 2', { t2: '1', e: '1' }, 1],
    ['matches the target of rule 1, plus noise', { t1: '1', t3: '1', e: '1' }, 0],
    ['matches the targets of rules 1 and 2: the first rule wins', { t1: '1', t2: '1', e: '1' }, 0],
    ["doesn't match a target", { t1: '0', e: '1' }, null],
    ['matches both sides of rule 1, but its source matches only the source side', { s1: '1', t1: '1', e: '1' }, 0],
    ['matches both sides of rule 2, and so does its only source', { s2: '1', t2: '1', e: '1' }, null],
    ["an equal label doesn't match", { t1: '1', e: '0' }, null],
    ['an equal label missing on the target only', { t1: '1' }, null],
  ])('TestInhibitRuleMatches: %s', (_name, target, expected) => {
    expect(legacy.isInhibited(target, sources)).toBe(expected);
  });

  // inhibit_test.go TestInhibitRuleMatchers: rule 1's target side is t1!="1".
  const negated = new Inhibitor([rule('s1="1"', 't1!="1"', ['e']), rule('s2="1"', 't2="1"', ['e'])]);

  it.each<[Record<string, string>, number | null]>([
    [{ t1: '1', e: '1' }, null],
    [{ t2: '1', e: '1' }, 0], // t1 is missing, so t1!="1" holds and the source of rule 1 inhibits
    [{ t1: '1', t3: '1', e: '1' }, null],
    [{ t1: '1', t2: '1', e: '1' }, 1],
    [{ t1: '0', e: '1' }, 0],
    [{ s1: '1', t1: '1', e: '1' }, null],
    [{ s2: '1', t2: '1', e: '1' }, 0],
    [{ t1: '1', e: '0' }, null],
  ])('TestInhibitRuleMatchers: %j is inhibited by rule %s', (target, expected) => {
    expect(negated.isInhibited(target, sources)).toBe(expected);
  });

  it.each<[string, readonly Record<string, string>[], Record<string, string>, number | null]>([
    ['no firing sources', [], { t: '1', e: 'f' }, null],
    ['a firing source inhibits the target (TestInhibit)', [{ s: '1', e: 'f' }], { t: '1', e: 'f' }, 0],
    ['the source itself is not inhibited', [{ s: '1', e: 'f' }], { s: '1', e: 'f' }, null],
    ['no equal labels: any source inhibits', [{ s: '1', e: 'x' }], { t: '1', e: 'f' }, 0],
  ])('%s', (_name, firing, target, expected) => {
    const equal = _name.startsWith('no equal') ? [] : ['e'];
    expect(new Inhibitor([rule('s="1"', 't="1"', equal)]).isInhibited(target, firing)).toBe(expected);
  });

  it('a set matching both sides does not inhibit itself, but does inhibit a pure target', () => {
    const ih = new Inhibitor([rule('severity=~"critical|warning"', 'severity="warning"', ['alertname'])]);
    const warning = { alertname: 'Disk', severity: 'warning' };
    expect(ih.isInhibited(warning, [warning])).toBeNull();
    expect(ih.isInhibited(warning, [warning, { alertname: 'Disk', severity: 'critical' }])).toBe(0);
  });

  it('a label missing on both sides counts as equal, as Alertmanager compares ""', () => {
    const ih = new Inhibitor([rule('severity="critical"', 'severity="warning"', ['cluster'])]);
    expect(ih.isInhibited({ severity: 'warning' }, [{ severity: 'critical' }])).toBe(0);
    expect(ih.isInhibited({ severity: 'warning', cluster: 'a' }, [{ severity: 'critical' }])).toBeNull();
  });

  it('empty matcher lists match everything, as in Alertmanager', () => {
    const ih = new Inhibitor([{ sourceMatchers: parseMatchers('alertname="Maintenance"'), targetMatchers: [], equal: ['cluster'] }]);
    expect(ih.isInhibited({ alertname: 'HighLatency', cluster: 'eu' }, [{ alertname: 'Maintenance', cluster: 'eu' }])).toBe(0);
    expect(ih.isInhibited({ alertname: 'HighLatency', cluster: 'us' }, [{ alertname: 'Maintenance', cluster: 'eu' }])).toBeNull();
  });
});
