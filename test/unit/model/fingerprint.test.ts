import { describe, expect, it } from 'vitest';
import { fingerprint, type LabelSet } from '../../../src/model/index.js';

/** UTF-8 by hand from code points, so the reference shares no encoder with the implementation. */
function utf8(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return out;
}

function compareBytes(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

/** prometheus/common labelSetToFingerprint with BigInt: FNV-1a 64 over names sorted by bytes, name 0xff value 0xff. */
function referenceFingerprint(labels: LabelSet): string {
  const MASK = (1n << 64n) - 1n;
  let h = 0xcbf29ce484222325n;
  const names = Object.keys(labels).map((n) => [n, utf8(n)] as const).sort((x, y) => compareBytes(x[1], y[1]));
  for (const [name, bytes] of names) {
    for (const b of [...bytes, 0xff, ...utf8(labels[name] as string), 0xff]) {
      h ^= BigInt(b);
      h = (h * 0x100000001b3n) & MASK;
    }
  }
  return h.toString(16).padStart(16, '0');
}

/** mulberry32: a seeded generator, so a failure names a reproducible case. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ASCII, 2- and 3-byte BMP characters, characters just below the surrogates' sort position (U+FF71) and astral
// characters (surrogate pairs), so UTF-16 order and UTF-8 byte order disagree in some generated sets.
const ALPHABET = ['a', 'b', 'z', 'A', 'Z', '_', '0', '9', '.', '-', ' ', 'é', 'ß', 'Ω', '日', '本', 'ｱ', '\uffee', '😀', '𝄞', '🚀', '\u0000', '\u007f'];

function randomString(next: () => number, max: number): string {
  let s = '';
  const n = Math.floor(next() * (max + 1));
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return s;
}

describe('fingerprint', () => {
  it.each([
    ['the empty set', {}, 'cbf29ce484222325'],
    // The sent fingerprint of a real Alertmanager notification (Zulip fixture), so Alertmanager agrees.
    ['an Alertmanager alert', { alertname: 'High CPU Temperature', host: 'andromeda', severity: 'critical' }, 'a1bc48475b20e73d'],
    ['one label', { alertname: 'Watchdog' }, '003b0a0f7d3fa569'],
    ['insertion order does not matter', { severity: 'critical', namespace: 'shop', service: 'checkout', alertname: 'HighErrorRate' }, '29dfb52689eade8a'],
  ])('%s', (_name, labels, expected) => {
    expect(fingerprint(labels)).toBe(expected);
    expect(referenceFingerprint(labels)).toBe(expected);
  });

  it('sorts names by UTF-8 bytes, not UTF-16 code units (U+FF71 before U+1F600)', () => {
    const labels = { '😀': '1', 'ｱ': '2' };
    expect(fingerprint(labels)).toBe(referenceFingerprint(labels));
    // The same pairs hashed in UTF-16 order would differ: the check above can fail.
    const utf16Order = Object.keys(labels).sort();
    expect(utf16Order).toEqual(['😀', 'ｱ']);
  });

  it('separates name and value, so moving a character between them changes the fingerprint', () => {
    expect(fingerprint({ ab: 'c' })).not.toBe(fingerprint({ a: 'bc' }));
  });

  it('matches the BigInt reference on 3000 random label sets with non-ASCII and astral characters', () => {
    const next = random(20260301);
    for (let i = 0; i < 3000; i++) {
      const labels: Record<string, string> = {};
      const n = Math.floor(next() * 8);
      for (let j = 0; j < n; j++) labels[randomString(next, 6) || 'n'] = randomString(next, 12);
      const got = fingerprint(labels);
      const want = referenceFingerprint(labels);
      if (got !== want) expect({ labels, got }).toEqual({ labels, got: want });
    }
  });
});
