import type { LabelSet } from './labels.js';

/**
 * Alertmanager's alert identity: FNV-1a 64 over the label names and values sorted by name, each followed by the
 * byte 0xff, printed as 16 lowercase hex digits (prometheus/common model.labelSetToFingerprint, `%016x`).
 *
 * The 64-bit state is kept as two uint32 halves: BigInt arithmetic is ~20x slower and this runs once per
 * received alert on the hot ingest path.
 */
export function fingerprint(labels: LabelSet): string {
  const names = Object.keys(labels);
  names.sort(compareUtf8);
  const h: [number, number] = [0xcbf29ce4, 0x84222325];
  for (const name of names) {
    addString(h, name);
    addByte(h, 0xff);
    addString(h, labels[name] as string);
    addByte(h, 0xff);
  }
  return hex8(h[0]) + hex8(h[1]);
}

/** Go sorts label names by byte order; for strings that differ only above U+FFFF UTF-16 order would differ. */
function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  // Code-point order equals UTF-8 byte order; UTF-16 code-unit order equals it except around surrogates.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i) as number;
    const cb = b.codePointAt(i) as number;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

const encoder = new TextEncoder();

function addString(h: [number, number], s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      // Non-ASCII: hash the rest as UTF-8 bytes.
      for (const byte of encoder.encode(s.slice(i))) addByte(h, byte);
      return;
    }
    addByte(h, c);
  }
}

/** h = (h ^ byte) * 0x100000001b3 mod 2^64, with 0x100000001b3 = 2^40 + 0x1b3. */
function addByte(h: [number, number], byte: number): void {
  const lo = (h[1] ^ byte) >>> 0;
  const hi = h[0];
  const t = lo * 0x1b3;
  const carry = Math.floor(t / 4294967296);
  h[1] = t >>> 0;
  h[0] = (hi * 0x1b3 + carry + (lo << 8)) >>> 0;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}
