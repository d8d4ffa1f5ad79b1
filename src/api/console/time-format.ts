/** A time as the console writes it: UTC, to the second (`2026-03-01 10:00:05Z`), whatever the browser's zone. */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

/** A duration in its largest two units: `45s`, `12m`, `3h 5m`, `2d 4h`. */
export function formatAge(ms: number): string {
  const sec = Math.max(0, Math.floor(ms / 1000));
  if (sec < 60) return `${sec}s`;
  const min = Math.floor(sec / 60);
  if (min < 60) return `${min}m`;
  const hours = Math.floor(min / 60);
  if (hours < 24) return min % 60 === 0 ? `${hours}h` : `${hours}h ${min % 60}m`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days}d` : `${days}d ${hours % 24}h`;
}

/** An incident's age: since it opened, up to when it resolved if it did. */
export function incidentAge(inc: { openedAt: string; resolvedAt: string | null }, now: number): string {
  const end = inc.resolvedAt === null ? now : Date.parse(inc.resolvedAt);
  return formatAge(end - Date.parse(inc.openedAt));
}
