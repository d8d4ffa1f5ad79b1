/** The entry the crash child appends for (round, appender, seq, k); see wal-crash-entry.mjs. */
export function crashEntry(round: number, w: number, seq: number, k: number): string;
