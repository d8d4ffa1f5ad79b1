/** A label set as Prometheus and Alertmanager use it: names to string values. Never mutated once built. */
export type LabelSet = Readonly<Record<string, string>>;

/**
 * Renders a label set the way Prometheus prints one: `{a="1", b="2"}` with names sorted,
 * so the same set always renders the same (used where no topology entity names a cause).
 */
export function renderLabels(labels: LabelSet): string {
  const names = Object.keys(labels).sort();
  return '{' + names.map((n) => `${n}=${JSON.stringify(labels[n])}`).join(', ') + '}';
}

