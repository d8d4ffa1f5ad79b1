import { describe, expect, it } from 'vitest';
import { DEFAULT_SCALE_OUT, loadConfig } from '../../../src/config/index.js';
import { toScaleOutSettings } from '../../../src/config/scale-out-config.js';
import { DEFAULT_PIPELINE } from '../../../src/engine/index.js';
import { ConfigError } from '../../../src/errors.js';

const FIXTURES = new URL('../../fixtures/config/', import.meta.url).pathname;

describe('loadConfig', () => {
  it('reads a good directory into frozen settings in code units', async () => {
    const c = await loadConfig(FIXTURES + 'good');
    expect(c.server).toMatchObject({ host: '127.0.0.1', port: 9197 });
    expect(c.engine.resolveTimeoutMs).toBe(120_000);
    expect(c.engine.pipeline).toEqual(DEFAULT_PIPELINE); // no pipeline.yaml: the built-in one
    expect(c.engine.severity).toEqual({ label: 'priority', map: { P1: 'sev1', P2: 'sev2' }, default: 'sev4' });
    expect(c.engine.topology.entities.map((e) => e.id)).toEqual(['svc/checkout', 'db/orders']);
    expect(c.slos).toEqual([{
      name: 'checkout-availability', objective: 99.9, windowMs: 30 * 86_400_000, window: '30d', entity: 'svc/checkout',
      labels: {}, semantics: 'prometheus', pageAlerts: true, ticketAlerts: true, source: 'native',
    }]);
    expect(Object.isFrozen(c.engine.topology.entities[0]!.labels)).toBe(true);
  });

  it('an empty directory is all defaults', async () => {
    const c = await loadConfig(FIXTURES + 'bad-slo-entity/../good/..'); // the fixtures root holds no config files
    expect(c.engine.topology.entities).toEqual([]);
    expect(c.server.port).toBe(9097);
  });

  it('the shipped config/ directory is valid, and its documented scale_out values are the defaults', async () => {
    const c = await loadConfig(new URL('../../../config', import.meta.url).pathname);
    expect(c.server.port).toBe(9097);
    expect(c.server.scaleOut).toEqual(DEFAULT_SCALE_OUT);
    expect((await loadConfig(FIXTURES + 'good')).server.scaleOut).toEqual(DEFAULT_SCALE_OUT);
  });

  it('names the fold\'s internal topic after the group unless told otherwise', () => {
    expect(DEFAULT_SCALE_OUT.keyedTopic).toBe('stormcell.keyed');
    expect(toScaleOutSettings({ group: 'payments' }).keyedTopic).toBe('payments.keyed');
    expect(toScaleOutSettings({ group: 'payments', keyed_topic: 'pay.fold' }).keyedTopic).toBe('pay.fold');
  });

  it.each([
    ['bad-duration', 'stormcell.yaml: resolve_timeout: expected a duration like 30s, got "soon"'],
    ['bad-unknown-key', 'stormcell.yaml: severity.lable: unknown field'],
    ['bad-yaml', 'topology.yaml:4:1: Sequence item without - indicator'],
    ['bad-relation', 'topology.yaml: relations[0].to: unknown entity "b"'],
    ['bad-slo-entity', 'slos.yaml: slos[0].entity: "svc/nope" is not an entity of topology.yaml'],
    ['bad-duplicate-entity', 'topology.yaml: entities[1].id: duplicate id "a" (first at entities[0])'],
    ['bad-severity', 'stormcell.yaml: severity.map.critical: expected one of "sev1", "sev2", "sev3", "sev4", got "urgent"'],
    ['bad-scale-out', 'stormcell.yaml: scale_out.events_partitions: expected'],
    ['bad-topology-shape', 'topology.yaml: entities[0].labels: expected an object, got "service"'],
  ])('%s is refused with a message naming file and path', async (dir, message) => {
    const err = await loadConfig(FIXTURES + dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message.startsWith(message)).toBe(true);
    expect((err as Error).message).not.toContain('\n');
  });

  it('a missing directory is a ConfigError', async () => {
    await expect(loadConfig(FIXTURES + 'nope')).rejects.toThrow(/config directory .*nope does not exist/);
  });
});
