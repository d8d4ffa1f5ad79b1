/**
 * The one explicit list of action plugins (as Alertmanager's `config/receiver/receiver.go`), keyed by the receiver
 * config key `<type>_configs`. Nothing is found by file name; an external plugin is loaded by an explicit specifier.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';
import { grafana } from './grafana/index.js';
import { jira } from './jira/index.js';
import { pagerduty } from './pagerduty/index.js';
import type { Action, ActionDeps, ActionPlugin } from './plugin.js';
import { rollback } from './rollback/index.js';
import { slack } from './slack/index.js';
import { webhook } from './webhook/index.js';

/** The built-in plugins, in the order `routing.yaml` documentation lists them. */
export const BUILTIN_PLUGINS: readonly ActionPlugin<unknown>[] = Object.freeze([webhook, slack, pagerduty, grafana, jira, rollback]);

/** The suffix that turns a plugin type into its receiver config key. */
const CONFIG_SUFFIX = '_configs';
const TYPE_PATTERN = /^[a-z][a-z0-9_]*$/;

/** The receiver config key of a plugin type: `webhook` → `webhook_configs`. */
export function configKey(type: string): string {
  return `${type}${CONFIG_SUFFIX}`;
}

/** One validated `<type>_configs` entry, ready to become an Action once its receiver is known. */
export interface Integration {
  readonly type: string;
  readonly config: unknown;
  /** Creates the Action with a logger scoped to `{receiver, integration}` (STYLE §B). */
  create(deps: ActionDeps, scope: { receiver: string; integration: string }): Action;
}

/** The plugins a config may use, by config key. Immutable once created. */
export interface Registry {
  /** The known config keys, `webhook_configs` first, in registration order. */
  readonly configKeys: readonly string[];
  /** Whether `key` is the config key of a registered plugin. */
  has(key: string): boolean;
  /**
   * Validates one entry of a receiver's `<type>_configs` list. `at` names the entry in messages
   * (`routing.yaml: receivers[1].slack_configs[0]`). Throws ConfigError for an unknown key (listing the known ones)
   * or an invalid entry.
   */
  parseIntegration(key: string, raw: unknown, at: string): Integration;
}

/** Builds a registry from plugins; a duplicate or malformed `type` is a boot error (ConfigError). */
export function createRegistry(plugins: readonly ActionPlugin<unknown>[]): Registry {
  const byKey = new Map<string, ActionPlugin<unknown>>();
  for (const p of plugins) {
    if (!TYPE_PATTERN.test(p.type)) throw new ConfigError(`action plugin type ${JSON.stringify(p.type)}: expected lowercase letters, digits and _`);
    const key = configKey(p.type);
    if (byKey.has(key)) throw new ConfigError(`action plugin type ${JSON.stringify(p.type)} is registered twice`);
    byKey.set(key, p);
  }
  const configKeys = Object.freeze([...byKey.keys()]);
  return Object.freeze({
    configKeys,
    has: (key: string) => byKey.has(key),
    parseIntegration(key: string, raw: unknown, at: string): Integration {
      const plugin = byKey.get(key);
      if (plugin === undefined) {
        throw new ConfigError(`${at}: unknown receiver integration ${JSON.stringify(key)}; known: ${configKeys.join(', ')}`);
      }
      const config = parseWith(plugin, raw, at);
      return Object.freeze({
        type: plugin.type,
        config,
        create(deps: ActionDeps, scope: { receiver: string; integration: string }): Action {
          const action = plugin.create(config, { ...deps, logger: deps.logger.child({ receiver: scope.receiver, integration: scope.integration }) });
          if (!isAction(action)) throw new ConfigError(`${at}: action plugin ${JSON.stringify(plugin.type)} created something without send() and close()`);
          return action;
        },
      });
    },
  });
}

/**
 * Loads an external action plugin: `specifier` is a package name (resolved as Node resolves `import`) or a file path
 * (absolute, or relative to `baseDir`, normally the config directory). The module must export, as `default` or as
 * `plugin`, an object `{type, parseConfig(raw, at), create(config, deps)}` as {@link ActionPlugin} describes; its
 * `type` must not clash with a built-in (createRegistry checks). Whoever reads the list of external plugins from the
 * config loads each with this and builds `createRegistry([...BUILTIN_PLUGINS, ...external])`; receivers then use
 * `<type>_configs`, and the plugin's Actions go through the outbox like the built-ins: they only format, send and
 * classify, and must not retry.
 *
 * ```js
 * // plugins/opsgenie.mjs
 * export default {
 *   type: 'opsgenie',
 *   parseConfig(raw, at) { … return config; },     // throw an Error naming `at` for a bad entry
 *   create(config, deps) { return { async send(n, signal) { … return { status: 'sent' }; }, async close() {} }; },
 * };
 * ```
 * Throws ConfigError when the module cannot be loaded or exports no valid plugin.
 */
export async function loadExternalPlugin(specifier: string, baseDir: string): Promise<ActionPlugin<unknown>> {
  const isPath = specifier.startsWith('.') || isAbsolute(specifier);
  const target = isPath ? pathToFileURL(resolve(baseDir, specifier)).href : specifier;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(target)) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`action plugin ${JSON.stringify(specifier)}: cannot be loaded: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const candidate = mod['default'] ?? mod['plugin'];
  const problem = describePluginProblem(candidate);
  if (problem !== null) throw new ConfigError(`action plugin ${JSON.stringify(specifier)}: ${problem}`);
  return candidate as ActionPlugin<unknown>;
}

/** What is wrong with an export that should be an ActionPlugin, or null when it has the shape. */
function describePluginProblem(p: unknown): string | null {
  if (p === null || typeof p !== 'object') return 'exports no plugin object as default or plugin';
  const o = p as Record<string, unknown>;
  if (typeof o['type'] !== 'string' || !TYPE_PATTERN.test(o['type'])) return 'type: expected lowercase letters, digits and _';
  if (typeof o['parseConfig'] !== 'function') return 'parseConfig: expected a function';
  if (typeof o['create'] !== 'function') return 'create: expected a function';
  return null;
}

/** Runs a plugin's parseConfig; an external plugin's plain Error becomes a ConfigError naming `at`. */
function parseWith(plugin: ActionPlugin<unknown>, raw: unknown, at: string): unknown {
  try {
    return plugin.parseConfig(raw, at);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new ConfigError(message.startsWith(at) ? message : `${at}: ${message}`, { cause: err });
  }
}

function isAction(a: unknown): a is Action {
  return a !== null && typeof a === 'object' && typeof (a as Action).send === 'function' && typeof (a as Action).close === 'function';
}
