// The entry wal-crash-child.mjs appends for (round, appender, seq, k): recomputable by the test, 30..3000 bytes.
export function crashEntry(round, w, seq, k) {
  const pad = (w * 7919 + seq * 104729 + k * 31) % 3000;
  return `r${round}-w${w}-s${seq}-k${k}-${'x'.repeat(pad)}`;
}
