import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { EngineOptions } from '../engine/index.js';
import { DEFAULT_PIPELINE, type EngineSlo } from '../engine/index.js';
import { EMPTY_TOPOLOGY } from '../model/index.js';
import { checkPipelineFile, toPipeline, type PipelineFile } from './pipeline-config.js';
import { checkServerFile, toEngineSettings, toServerSettings, type ServerFile, type ServerSettings } from './server-config.js';
import { parseSlosDocuments, toSlos, type SloDefinition } from './slos-config.js';
import { checkTopologyFile, toTopology, type TopologyFile } from './topology-config.js';
import { readYamlDocuments, readYamlFile } from './yaml-file.js';
import { BUILTIN_PLUGINS, configKey, createRegistry, loadExternalPlugin } from '../actions/index.js';
import { parseRoutingConfig, type RoutingConfig } from '../route/index.js';

/** The whole configuration, frozen: what `loadConfig` returns and every stage receives. */
export interface Config {
  /** The directory it came from (absolute). */
  readonly dir: string;
  readonly server: ServerSettings;
  readonly engine: EngineOptions;
  readonly slos: readonly SloDefinition[];
  /** routing.yaml, or null without one. Not frozen: it holds compiled matchers and plugin factories. */
  readonly routing: RoutingConfig | null;
}

/** The files of a config directory. Missing files mean defaults; other files in the directory are not read. */
export const CONFIG_FILES = ['stormcell.yaml', 'topology.yaml', 'slos.yaml', 'pipeline.yaml', 'routing.yaml'] as const;

/** Options of {@link loadConfig}. */
export interface LoadOptions {
  /** A pipeline file to use instead of the config dir's `pipeline.yaml` (`eval --pipeline`, canaries). */
  readonly pipelineFile?: string;
}

/**
 * Reads a config directory once: each file parsed and checked against its schema, cross-checks after, defaults
 * applied, the result deep-frozen. Throws ConfigError naming the file and the path of the first problem.
 */
export async function loadConfig(dir: string, opts: LoadOptions = {}): Promise<Config> {
  const abs = resolve(dir);
  let isDir = false;
  try {
    isDir = (await stat(abs)).isDirectory();
  } catch {
    throw new ConfigError(`config directory ${dir} does not exist`);
  }
  if (!isDir) throw new ConfigError(`config directory ${dir} is not a directory`);
  const server = ((await readYamlFile(abs, 'stormcell.yaml', checkServerFile)) ?? {}) as ServerFile;
  const topoFile = (await readYamlFile(abs, 'topology.yaml', checkTopologyFile)) as TopologyFile | undefined;
  const slosFile = parseSlosDocuments((await readYamlDocuments(abs, 'slos.yaml')) ?? [], 'slos.yaml');
  const topology = topoFile === undefined ? EMPTY_TOPOLOGY : toTopology(topoFile);
  const pipeline = await loadPipeline(abs, opts.pipelineFile);
  const slos = toSlos(slosFile, topology);
  const serverSettings = toServerSettings(server);
  const routing = await loadRouting(abs, serverSettings.plugins);
  const config: Omit<Config, 'routing'> = {
    dir: abs,
    server: serverSettings,
    engine: { ...toEngineSettings(server), topology, pipeline, slos: slos.map(toEngineSlo) },
    slos,
  };
  return Object.freeze({ ...deepFreeze(config), routing });
}

/** An SLO definition as the engine computes it. */
function toEngineSlo(d: SloDefinition): EngineSlo {
  return {
    name: d.name, objective: d.objective, periodMs: d.windowMs, period: d.window, semantics: d.semantics,
    pageAlerts: d.pageAlerts, ticketAlerts: d.ticketAlerts, labels: d.labels, ...(d.entity === undefined ? {} : { entity: d.entity }),
  };
}

/** routing.yaml with its receivers' integrations checked by their plugins (built-in and `plugins:` of stormcell.yaml). */
async function loadRouting(configDir: string, plugins: readonly string[]): Promise<RoutingConfig | null> {
  const raw = await readYamlFile(configDir, 'routing.yaml', () => null);
  if (raw === undefined) return null;
  const external = [];
  for (const p of plugins) external.push(await loadExternalPlugin(p, configDir));
  const registry = createRegistry([...BUILTIN_PLUGINS, ...external]);
  const global = globalDefaults(raw);
  return parseRoutingConfig(raw, 'routing.yaml', (type, item, path) => registry.parseIntegration(configKey(type), withGlobal(type, item, global), path));
}

/** Alertmanager's `global` settings that its integrations fall back to, by integration type and key. */
const GLOBAL_FALLBACKS: Record<string, ReadonlyArray<readonly [global: string, own: string]>> = {
  slack: [['slack_api_url', 'api_url']],
  pagerduty: [['pagerduty_url', 'url']],
};

function globalDefaults(raw: unknown): Record<string, unknown> {
  const g = raw !== null && typeof raw === 'object' ? (raw as { global?: unknown }).global : undefined;
  return g !== null && typeof g === 'object' ? (g as Record<string, unknown>) : {};
}

/**
 * An integration's config with what Alertmanager takes from `global` when the integration leaves it out
 * (`slack_api_url`, `pagerduty_url`), so an existing alertmanager.yml loads unchanged; its own keys win.
 */
function withGlobal(type: string, item: unknown, global: Record<string, unknown>): unknown {
  const fallbacks = GLOBAL_FALLBACKS[type];
  if (fallbacks === undefined || item === null || typeof item !== 'object' || Array.isArray(item)) return item;
  const out = { ...(item as Record<string, unknown>) };
  for (const [g, own] of fallbacks) if (out[own] === undefined && global[g] !== undefined) out[own] = global[g];
  return out;
}

async function loadPipeline(configDir: string, pipelineFile: string | undefined) {
  if (pipelineFile === undefined) {
    const f = (await readYamlFile(configDir, 'pipeline.yaml', checkPipelineFile)) as PipelineFile | undefined;
    return f === undefined ? DEFAULT_PIPELINE : toPipeline(f, 'pipeline.yaml', configDir);
  }
  const file = resolve(pipelineFile);
  const f = (await readYamlFile(dirname(file), basename(file), checkPipelineFile)) as PipelineFile | undefined;
  if (f === undefined) throw new ConfigError(`pipeline file ${pipelineFile} does not exist`);
  return toPipeline(f, basename(file), dirname(file));
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}
