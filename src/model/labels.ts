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


/**
 * Whether two label sets hold the same names and values, in any order. Values are strings, so an inherited
 * property of a plain object (`constructor`) never equals one, and the name counts rule out extra names.
 */
export function sameLabelSet(a: LabelSet, b: LabelSet): boolean {
  if (a === b) return true;
  let n = 0;
  for (const name in b) {
    if (a[name] !== b[name]) return false;
    n++;
  }
  for (const _ in a) n--;
  return n === 0;
}
