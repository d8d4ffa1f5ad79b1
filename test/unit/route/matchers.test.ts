import { describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../../src/errors.js';
import {
  formatMatchers,
  Matcher,
  matchersFromMaps,
  parseMatcher,
  parseMatchers,
  sortMatchers,
  tryParseMatchers,
  type MatchType,
} from '../../../src/route/index.js';

const triples = (ms: readonly Matcher[]): Array<[MatchType, string, string]> => ms.map((m) => [m.type, m.name, m.value]);

describe('parseMatchers', () => {
  // Rows of pkg/labels/parse_test.go TestMatchers (valid inputs), plus UTF-8 and the quoted-name form.
  it.each<[string, Array<[MatchType, string, string]>]>([
    ['{}', []],
    ['', []],
    [`{foo='}`, [['=', 'foo', "'"]]],
    ['{foo=`}', [['=', 'foo', '`']]],
    ['{foo=\\"}', [['=', 'foo', '"']]],
    ['{foo=bar}', [['=', 'foo', 'bar']]],
    ['{foo="bar"}', [['=', 'foo', 'bar']]],
    ['{foo=~bar.*}', [['=~', 'foo', 'bar.*']]],
    ['{foo=~"bar.*"}', [['=~', 'foo', 'bar.*']]],
    ['{foo!=bar}', [['!=', 'foo', 'bar']]],
    ['{foo!="bar"}', [['!=', 'foo', 'bar']]],
    ['{foo!~bar.*}', [['!~', 'foo', 'bar.*']]],
    ['{foo!~"bar.*"}', [['!~', 'foo', 'bar.*']]],
    ['{foo="bar", baz!="quux"}', [['=', 'foo', 'bar'], ['!=', 'baz', 'quux']]],
    ['{foo="bar",baz!~".*quux", derp="wat"}', [['=', 'foo', 'bar'], ['!~', 'baz', '.*quux'], ['=', 'derp', 'wat']]],
    ['{foo="bar", instance=~"some-api.*"}', [['=', 'foo', 'bar'], ['=~', 'instance', 'some-api.*']]],
    ['{foo=""}', [['=', 'foo', '']]],
    ['{foo="bar,quux", job="job1"}', [['=', 'foo', 'bar,quux'], ['=', 'job', 'job1']]],
    ['{foo = "bar", dings != "bums", }', [['=', 'foo', 'bar'], ['!=', 'dings', 'bums']]],
    ['foo=bar,dings!=bums', [['=', 'foo', 'bar'], ['!=', 'dings', 'bums']]],
    ['{quote="She said: \\"Hi, ladies! That\'s gender-neutral…\\""}', [['=', 'quote', 'She said: "Hi, ladies! That\'s gender-neutral…"']]],
    ['statuscode=~"5.."', [['=~', 'statuscode', '5..']]],
    ['tricky=~~~', [['=~', 'tricky', '~~']]],
    ['trickier==\\\\=\\=\\"', [['=', 'trickier', '=\\=\\="']]],
    ['contains_quote != "\\"" , contains_comma !~ "foo,bar" , ', [['!=', 'contains_quote', '"'], ['!~', 'contains_comma', 'foo,bar']]],
    ['{foo=bar}}', [['=', 'foo', 'bar}']]],
    ['{foo=bar}},}', [['=', 'foo', 'bar}}']]],
    ['{foo=,bar=}}', [['=', 'foo', ''], ['=', 'bar', '}']]],
    ['{foo=bar\\t}', [['=', 'foo', 'bar\\t']]],
    ['{foo=bar\\n}', [['=', 'foo', 'bar\n']]],
    ['{foo=bar\\}', [['=', 'foo', 'bar\\']]],
    ['{foo=bar\\\\}', [['=', 'foo', 'bar\\']]],
    ['{foo=bar\\"}', [['=', 'foo', 'bar"']]],
    ['job=', [['=', 'job', '']]],
    ['{foo=', [['=', 'foo', '']]],
    ['{foo=}b', [['=', 'foo', '}b']]],
    // The single-matcher forms of `matchers:` lists.
    ['severity="sev1"', [['=', 'severity', 'sev1']]],
    ['team=~"db|storage"', [['=~', 'team', 'db|storage']]],
    ['env!="prod"', [['!=', 'env', 'prod']]],
    ['x!~"y"', [['!~', 'x', 'y']]],
    ['  spaced  =~  "a b"  ', [['=~', 'spaced', 'a b']]],
    ['service=checkout', [['=', 'service', 'checkout']]],
    // UTF-8 values, and label names the UTF-8 parser takes when double-quoted.
    ['{city="Zürich", emoji=~"😀+"}', [['=', 'city', 'Zürich'], ['=~', 'emoji', '😀+']]],
    ['"service.name"="api"', [['=', 'service.name', 'api']]],
    ['{"k8s.pod"!~"web-.*", "名前"="値"}', [['!~', 'k8s.pod', 'web-.*'], ['=', '名前', '値']]],
  ])('%s', (input, expected) => {
    expect(triples(parseMatchers(input))).toEqual(expected);
  });

  // Rows of TestMatchers with errors, with stormcell's column and wording.
  it.each([
    [',', 'column 1: bad matcher format, expected a label name: '],
    ['{,}', 'column 2: bad matcher format, expected a label name: '],
    ['job="value', 'column 5: matcher value contains unescaped double quote: "value'],
    ['job=value"', 'column 10: matcher value contains unescaped double quote: value"'],
    ['trickier==\\\\=\\=\\""', 'column 18: matcher value contains unescaped double quote: =\\\\=\\=\\""'],
    ['contains_unescaped_quote = foo"bar', 'column 31: matcher value contains unescaped double quote: foo"bar'],
    ['{invalid-name = "valid label"}', 'column 9: bad matcher format, expected one of =, !=, =~, !~: invalid-name = "valid label"'],
    ['{foo=~"invalid[regexp"}', 'column 7: invalid regular expression "invalid[regexp": Unterminated character class'],
    ['"{foo=\\"bar"}', 'column 13: bad matcher format, expected one of =, !=, =~, !~: "{foo=\\"bar"'],
    ['"foo="bar""', 'column 7: bad matcher format, expected one of =, !=, =~, !~: "foo="bar""'],
    ['{{foo=', 'column 2: bad matcher format, expected a label name: {foo='],
    ['a="b", 9c="d"', 'column 8: bad matcher format, expected a label name: 9c="d"'],
    ['"unterminated=x', 'column 1: bad matcher format, unterminated label name: "unterminated=x'],
    ['""="x"', 'column 1: bad matcher format, empty label name: ""="x"'],
    ['severity', 'column 9: bad matcher format, expected one of =, !=, =~, !~: severity'],
    ['{ünïcode="x"}', 'column 2: bad matcher format, expected a label name: ünïcode="x"'],
    ['a="😀", b=~"(?U)x"', 'column 11: invalid regular expression "(?U)x": flag group (?U) is not supported'],
  ])('refuses %s', (input, message) => {
    const r = tryParseMatchers(input);
    expect(Array.isArray(r)).toBe(false);
    expect(`column ${(r as { column: number }).column}: ${(r as { message: string }).message}`).toBe(message);
  });

  it('throws a ConfigError naming where, or an InputError when asked', () => {
    expect(() => parseMatchers('env~prod', 'route.matchers[0]')).toThrow(
      new ConfigError('route.matchers[0]: column 4: bad matcher format, expected one of =, !=, =~, !~: env~prod'),
    );
    const err = (() => {
      try {
        parseMatchers('env~prod', 'filter', 'input');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(InputError);
  });
});

describe('parseMatcher', () => {
  it.each([
    ['{a="b"}', 'unexpected open or close brace: {a="b"}'],
    ['a=b,c=d', 'expected 1 matcher, found 2'],
    ['', 'expected 1 matcher, found 0'],
  ])('refuses %s', (input, message) => {
    expect(() => parseMatcher(input)).toThrow(new ConfigError(message));
  });

  it('parses one matcher', () => {
    expect(String(parseMatcher('severity = sev1'))).toBe('severity="sev1"');
  });
});

describe('Matcher.matches', () => {
  it.each<[string, Record<string, string>, boolean]>([
    ['foo=""', {}, true],
    ['foo=""', { foo: 'x' }, false],
    ['foo!=""', {}, false],
    ['foo=~".*"', {}, true],
    ['foo=~".+"', {}, false],
    ['team=~"db|storage"', { team: 'db' }, true],
    ['team=~"db|storage"', { team: 'storage' }, true],
    ['team=~"db|storage"', { team: 'dbx' }, false], // anchored: ^(?:db|storage)$
    ['team=~"db|storage"', { team: 'xdb' }, false],
    ['team=~"db"', { team: 'db\n' }, false], // $ without m is the end of the value only
    ['env!="prod"', { env: 'prod' }, false],
    ['env!="prod"', {}, true],
    ['x!~"y"', { x: 'y' }, false],
    ['x!~"y"', { x: 'yy' }, true],
    ['severity="sev1"', { severity: 'sev1', team: 'db' }, true],
    ['constructor=""', {}, true], // a missing label, never Object.prototype.constructor
    ['toString!=""', {}, false],
    ['foo=~"(?i)abc"', { foo: 'ABC' }, true],
    ['foo=~"(?s)a.b"', { foo: 'a\nb' }, true],
    ['foo=~"a.b"', { foo: 'a\nb' }, false],
    ['foo=~"(?m)a$"', { foo: 'a\nb' }, false], // (?m) inside the group does not unanchor the whole match
    ['foo=~"(?m)^b$|a\\nb"', { foo: 'a\nb' }, true],
    ['foo=~"a\\-b"', { foo: 'a-b' }, true], // RE2 identity escape that the u flag refuses
    ['foo=~"."', { foo: '😀' }, true], // one code point, as RE2 matches runes
    ['foo=~"(?P<x>a)b"', { foo: 'ab' }, true],
  ])('%s on %j is %s', (m, labels, expected) => {
    expect(parseMatcher(m).matchesLabels(labels)).toBe(expected);
  });
});

describe('printing and sorting', () => {
  it('prints as Alertmanager does, quoting a name only when it must', () => {
    const ms = parseMatchers('{b=~"x|y", a="q\\"uo\\nte\\\\", "service.name"!="api", "my label"="x"}');
    // As Alertmanager's isReserved: a dot needs no quotes, a space does.
    expect(ms.map(String)).toEqual(['b=~"x|y"', 'a="q\\"uo\\nte\\\\"', 'service.name!="api"', '"my label"="x"']);
  });

  it('sorts by name, value, then operator (labels.Matchers.Less)', () => {
    const ms = parseMatchers('b="1", a!="2", a="2", a="1", a=~"2", a!~"2"');
    expect(formatMatchers(sortMatchers(ms))).toBe('{a="1",a="2",a!="2",a=~"2",a!~"2",b="1"}');
  });

  it('sorts by code point, as Go compares UTF-8 strings', () => {
    // U+FF5E sorts before U+1F600 by code point, but after its surrogate pair by UTF-16 unit.
    const ms = [Matcher.create('=', 'a', '😀'), Matcher.create('=', 'a', '～')];
    expect(sortMatchers(ms).map((m) => m.value)).toEqual(['～', '😀']);
  });
});

describe('matchersFromMaps', () => {
  const at = (map: string, name: string): string => `route.${map}.${name}`;

  it('keeps match_re values as the anchored string Alertmanager prints', () => {
    const ms = matchersFromMaps({ service: 'api' }, { owner: 'team-(B|C)' }, at);
    expect(ms.map(String)).toEqual(['service="api"', 'owner=~"^(?:team-(B|C))$"']);
    expect(ms[1]!.matches('team-B')).toBe(true);
    expect(ms[1]!.matches('team-BC')).toBe(false);
  });

  it('applies a leading flag group of a match_re value', () => {
    const [m] = matchersFromMaps(undefined, { env: '(?i)prod' }, at);
    expect(m!.matches('PROD')).toBe(true);
  });

  it.each([
    [{ 'foo-bar': 'x' }, undefined, 'route.match.foo-bar: invalid label name "foo-bar"'],
    [undefined, { env: '(' }, 'route.match_re.env: invalid regular expression "(": Unterminated group'],
  ])('refuses %j %j', (match, matchRe, message) => {
    expect(() => matchersFromMaps(match, matchRe, at)).toThrow(new ConfigError(message));
  });
});

describe('comma splitting (ParseMatchers)', () => {
  it('keeps a backslash before a comma inside quotes pending, as Go does', () => {
    // After `\` the comma leaves the escape pending, so the next `"` is escaped and the quotes stay open:
    // the whole input is one token, whose value then holds an unescaped quote.
    const r = tryParseMatchers('a="x\\,", b="y"');
    expect(r).toEqual({ column: 7, message: 'matcher value contains unescaped double quote: "x\\,", b="y"' });
  });
});
