import type { LabelSet } from './labels.js';

/**
 * Alertmanager's alert identity: FNV-1a 64 over the label names and values sorted by name, each followed by the
 * byte 0xff, printed as 16 lowercase hex digits (prometheus/common model.labelSetToFingerprint, `%016x`).
 *
 * BigInt arithmetic would be ~20x slower, and this runs once per received alert on the hot ingest path.
 */
export function fingerprint(labels: LabelSet): string {
  const names = Object.keys(labels);
  // Go sorts names by bytes (UTF-8 order, i.e. code-point order). UTF-16 order, the default sort's, equals it
  // unless a name holds a surrogate pair, which label names almost never do.
  if (names.some(hasSurrogate)) names.sort(compareCodePoints);
  else names.sort();
  // The 64-bit state as four 16-bit limbs, lowest first: every product stays a small integer, which V8 keeps
  // unboxed. Offset basis 0xcbf29ce484222325.
  let v0 = 0x2325;
  let v1 = 0x8422;
  let v2 = 0x9ce4;
  let v3 = 0xcbf2;
  for (let n = 0; n < names.length; n++) {
    const name = names[n] as string;
    for (let pass = 0; pass < 2; pass++) {
      const s = pass === 0 ? name : (labels[name] as string);
      let bytes: Uint8Array | null = null;
      let len = s.length;
      for (let i = 0; i < len; i++) {
        if (bytes === null && s.charCodeAt(i) >= 0x80) {
          // Non-ASCII: hash the string as UTF-8 bytes from here (lone surrogates become U+FFFD, as in Go).
          bytes = encoder.encode(s.slice(i));
          len = bytes.length;
          i = 0;
        }
        v0 ^= bytes === null ? s.charCodeAt(i) : (bytes[i] as number);
        // h *= 0x100000001b3 (= 2^40 + 0x1b3) mod 2^64.
        const t0 = v0 * 0x1b3;
        let t1 = v1 * 0x1b3;
        let t2 = v2 * 0x1b3 + (v0 << 8);
        const t3 = v3 * 0x1b3 + (v1 << 8);
        t1 += t0 >>> 16;
        v0 = t0 & 0xffff;
        t2 += t1 >>> 16;
        v1 = t1 & 0xffff;
        v3 = (t3 + (t2 >>> 16)) & 0xffff;
        v2 = t2 & 0xffff;
      }
      // The 0xff separator. The multiply step is repeated here rather than folded into the loop above: a branch
      // per byte there costs 60 % more per fingerprint.
      v0 ^= 0xff;
      const t0 = v0 * 0x1b3;
      let t1 = v1 * 0x1b3;
      let t2 = v2 * 0x1b3 + (v0 << 8);
      const t3 = v3 * 0x1b3 + (v1 << 8);
      t1 += t0 >>> 16;
      v0 = t0 & 0xffff;
      t2 += t1 >>> 16;
      v1 = t1 & 0xffff;
      v3 = (t3 + (t2 >>> 16)) & 0xffff;
      v2 = t2 & 0xffff;
    }
  }
  // One flat string from 16 char codes: cheaper than number-to-string conversions and concatenated ropes, and
  // the result is used as a Map key at once.
  return String.fromCharCode(
    HEX[v3 >>> 12] as number, HEX[(v3 >>> 8) & 15] as number, HEX[(v3 >>> 4) & 15] as number, HEX[v3 & 15] as number,
    HEX[v2 >>> 12] as number, HEX[(v2 >>> 8) & 15] as number, HEX[(v2 >>> 4) & 15] as number, HEX[v2 & 15] as number,
    HEX[v1 >>> 12] as number, HEX[(v1 >>> 8) & 15] as number, HEX[(v1 >>> 4) & 15] as number, HEX[v1 & 15] as number,
    HEX[v0 >>> 12] as number, HEX[(v0 >>> 8) & 15] as number, HEX[(v0 >>> 4) & 15] as number, HEX[v0 & 15] as number,
  );
}

const encoder = new TextEncoder();
function hasSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}

function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i) as number;
    const cb = b.codePointAt(i) as number;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

/** Char codes of the lowercase hex digits. */
const HEX: readonly number[] = [...'0123456789abcdef'].map((c) => c.charCodeAt(0));
