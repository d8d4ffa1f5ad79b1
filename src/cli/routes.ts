import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { ConfigError, InputError } from '../errors.js';
import type { IncidentDoc, LabelSet } from '../model/index.js';
import { routingLabels } from '../notify/index.js';

export const ROUTES_USAGE = `stormcell routes show --config DIR
  stormcell routes test --config DIR [--tree] [--verify-receivers R1,R2] LABEL=VALUE...
  stormcell routes test --config DIR [--tree] --incident ID [--url http://127.0.0.1:9097]`;

/**
 * `stormcell routes show|test`, as `amtool config routes show|test`: prints routing.yaml's tree, or which receivers a
 * label set reaches (comma-separated, in route order) and with `--tree` the part of the tree it walks. Incidents are
 * routed on their common labels plus `severity` (sev1–sev4), `status` (firing|resolved) and `incident`: pass those
 * to see where an incident goes, or `--incident ID` to read an incident from a running server (`--url`) and route its
 * labels exactly as the notifier would. `--verify-receivers` exits 1 when the receivers differ, for CI checks of a
 * routing change.
 */
export async function routesCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'show' && sub !== 'test') throw new ConfigError(`routes: expected "show" or "test", got ${JSON.stringify(sub ?? '')}; usage:\n  ${ROUTES_USAGE}`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { config: { type: 'string' }, tree: { type: 'boolean' }, 'verify-receivers': { type: 'string' }, incident: { type: 'string' }, url: { type: 'string' } },
      allowPositionals: sub === 'test',
      strict: true,
    });
  } catch (err) {
    throw new ConfigError(`routes ${sub}: ${(err as Error).message}`);
  }
  const config = await loadConfig(parsed.values.config ?? 'config');
  if (config.routing === null) throw new ConfigError(`routes: ${config.dir} has no routing.yaml`);
  const tree = config.routing.route;
  if (sub === 'show') {
    process.stdout.write(tree.render() + '\n');
    return 0;
  }
  const labels: Record<string, string> = parsed.values.incident === undefined ? {} : { ...(await incidentLabels(parsed.values.incident, parsed.values.url ?? 'http://127.0.0.1:9097')) };
  for (const p of parsed.positionals) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new ConfigError(`routes test: expected LABEL=VALUE, got ${JSON.stringify(p)}`);
    labels[p.slice(0, eq)] = p.slice(eq + 1);
  }
  const d = tree.describe(labels);
  if (parsed.values.tree === true) process.stdout.write(d.tree + '\n');
  process.stdout.write(d.receivers.join(',') + '\n');
  const want = parsed.values['verify-receivers'];
  if (want !== undefined && want !== d.receivers.join(',')) {
    process.stderr.write(`WARNING: expected receivers "${want}" but got "${d.receivers.join(',')}"\n`);
    return 1;
  }
  return 0;
}

/** An incident's routing labels, read from a running server's read API. */
async function incidentLabels(id: string, url: string): Promise<LabelSet> {
  let res: Response;
  try {
    res = await fetch(`${url.replace(/\/+$/, '')}/api/v1/incidents/${encodeURIComponent(id)}`);
  } catch (err) {
    throw new InputError(`routes test: cannot reach ${url}: ${(err as Error).message}`);
  }
  if (res.status === 404) throw new InputError(`routes test: incident ${id} not found at ${url}`);
  if (!res.ok) throw new InputError(`routes test: ${url} answered HTTP ${res.status}`);
  return routingLabels((await res.json()) as IncidentDoc);
}
