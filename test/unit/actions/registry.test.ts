import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILTIN_PLUGINS, createRegistry, loadExternalPlugin, type ActionPlugin } from '../../../src/actions/index.js';
import { ConfigError } from '../../../src/errors.js';
import { deps, NEVER, notification } from './support.js';

const registry = createRegistry(BUILTIN_PLUGINS);

describe('createRegistry', () => {
  it('lists the built-ins under their <type>_configs keys, in order', () => {
    expect(registry.configKeys).toEqual(['webhook_configs', 'slack_configs', 'pagerduty_configs', 'grafana_configs', 'jira_configs', 'rollback_configs']);
  });

  it('refuses a duplicate type', () => {
    const again: ActionPlugin<unknown> = { type: 'slack', parseConfig: (r) => r, create: () => ({ send: async () => ({ status: 'sent' }), close: async () => {} }) };
    expect(() => createRegistry([...BUILTIN_PLUGINS, again])).toThrow(new ConfigError('action plugin type "slack" is registered twice'));
  });

  it('reports an invalid entry with its path', () => {
    expect(() => registry.parseIntegration('slack_configs', { api_url: 'hooks.slack.com/x' }, 'routing.yaml: receivers[1].slack_configs[0]')).toThrow(
      new ConfigError('routing.yaml: receivers[1].slack_configs[0].api_url: expected a URL, got "hooks.slack.com/x"'),
    );
  });

  it('names the known kinds for an unknown one', () => {
    expect(() => registry.parseIntegration('opsgenie_configs', {}, 'routing.yaml: receivers[2].opsgenie_configs[0]')).toThrow(
      new ConfigError(
        'routing.yaml: receivers[2].opsgenie_configs[0]: unknown receiver integration "opsgenie_configs"; known: webhook_configs, slack_configs, pagerduty_configs, grafana_configs, jira_configs, rollback_configs',
      ),
    );
  });

  it('creates an action whose logger is scoped to its receiver and integration', async () => {
    const seen: unknown[] = [];
    const probe: ActionPlugin<string> = {
      type: 'probe',
      parseConfig: (raw) => String(raw),
      create: (config, d) => {
        seen.push(config, d.logger.bindings());
        return { send: async () => ({ status: 'sent' }), close: async () => {} };
      },
    };
    const integration = createRegistry([probe]).parseIntegration('probe_configs', 'x', 'routing.yaml: receivers[0].probe_configs[0]');
    const action = integration.create(deps(), { receiver: 'ops', integration: 'probe/0' });
    expect(await action.send(notification(), NEVER)).toEqual({ status: 'sent' });
    expect(seen).toEqual(['x', { receiver: 'ops', integration: 'probe/0' }]);
  });
});

describe('loadExternalPlugin', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stormcell-plugin-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('loads a plugin exported as default from a path relative to the config directory, and uses it', async () => {
    await fs.writeFile(
      path.join(dir, 'echo.mjs'),
      `export default {
        type: 'echo',
        parseConfig(raw, at) { if (typeof raw?.to !== 'string') throw new Error(at + '.to: expected a string'); return { to: raw.to }; },
        create(config) { return { async send(n) { return { status: 'sent', ref: config.to + ':' + n.incident.id }; }, async close() {} }; },
      };`,
    );
    const plugin = await loadExternalPlugin('./echo.mjs', dir);
    const reg = createRegistry([...BUILTIN_PLUGINS, plugin]);
    expect(reg.has('echo_configs')).toBe(true);
    const action = reg.parseIntegration('echo_configs', { to: 'x' }, 'routing.yaml: receivers[0].echo_configs[0]').create(deps(), { receiver: 'r', integration: 'echo/0' });
    expect(await action.send(notification(), NEVER)).toEqual({ status: 'sent', ref: 'x:inc-20260301-0001' });
    expect(() => reg.parseIntegration('echo_configs', {}, 'routing.yaml: receivers[0].echo_configs[0]')).toThrow(
      new ConfigError('routing.yaml: receivers[0].echo_configs[0].to: expected a string'),
    );
  });

  it('loads a plugin exported as plugin', async () => {
    await fs.writeFile(path.join(dir, 'named.mjs'), `export const plugin = { type: 'named', parseConfig: (r) => r, create: () => ({}) };`);
    const p = await loadExternalPlugin(path.join(dir, 'named.mjs'), '/');
    expect(p.type).toBe('named');
    const integration = createRegistry([p]).parseIntegration('named_configs', {}, 'at');
    expect(() => integration.create(deps(), { receiver: 'r', integration: 'named/0' })).toThrow(
      new ConfigError('at: action plugin "named" created something without send() and close()'),
    );
  });

  it.each([
    ['export const x = 1;', 'exports no plugin object as default or plugin'],
    [`export default { type: 'Bad-Type', parseConfig() {}, create() {} };`, 'type: expected lowercase letters, digits and _'],
    [`export default { type: 'ok', create() {} };`, 'parseConfig: expected a function'],
  ])('refuses a module %s', async (source, problem) => {
    await fs.writeFile(path.join(dir, 'p.mjs'), source);
    await expect(loadExternalPlugin('./p.mjs', dir)).rejects.toThrow(new ConfigError(`action plugin "./p.mjs": ${problem}`));
  });

  it('says when the module cannot be loaded', async () => {
    await expect(loadExternalPlugin('./missing.mjs', dir)).rejects.toThrow(/^action plugin "\.\/missing\.mjs": cannot be loaded: /);
    await expect(loadExternalPlugin('./missing.mjs', dir)).rejects.toBeInstanceOf(ConfigError);
  });
});
