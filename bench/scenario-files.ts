/**
 * One scenario directory's files as text, keyed by path relative to the directory (`capture.ndjson`,
 * `config/topology.yaml`, `truth.json`, …). Constraint: a pure value, so a writer's output can be compared with the
 * committed corpus byte for byte.
 */
export interface ScenarioFiles {
  readonly name: string;
  /** One line for test/scenarios/README.md. */
  readonly description: string;
  readonly files: Readonly<Record<string, string>>;
}

/** Capture text (CONTRACT §2): one request per line, each line ending in a newline. */
export function captureText(lines: readonly string[]): string {
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

/** An empty config directory is kept in git by this file. */
export const KEEP_FILE = '.keep';
