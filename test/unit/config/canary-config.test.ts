import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CANARY_TOLERANCE, loadConfig } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function configDir(stormcellYaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'stormcell-canary-config-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'stormcell.yaml'), stormcellYaml);
  return dir;
}

describe('stormcell.yaml canary', () => {
  it('is null without a canary key: pipeline reloads are not gated', async () => {
    expect((await loadConfig(configDir('listen: 127.0.0.1:9197\n'))).server.canary).toBeNull();
  });

  it('keeps the corpus path as written and defaults the tolerance', async () => {
    const c = await loadConfig(configDir('canary:\n  corpus: ../scenarios\n'));
    expect(c.server.canary).toEqual({ corpus: '../scenarios', tolerance: DEFAULT_CANARY_TOLERANCE });
    expect(DEFAULT_CANARY_TOLERANCE).toBe(0.01);
    expect(Object.isFrozen(c.server.canary)).toBe(true);
  });

  it('takes a tolerance', async () => {
    expect((await loadConfig(configDir('canary: {corpus: corpus, tolerance: 0.05}\n'))).server.canary).toEqual({ corpus: 'corpus', tolerance: 0.05 });
  });

  it.each([
    ['canary: {tolerance: 0.05}\n', 'stormcell.yaml: canary.corpus: '],
    ['canary: {corpus: ""}\n', 'stormcell.yaml: canary.corpus: '],
    ['canary: {corpus: c, tolerance: 2}\n', 'stormcell.yaml: canary.tolerance: '],
    ['canary: {corpus: c, tolerance: -0.1}\n', 'stormcell.yaml: canary.tolerance: '],
    ['canary: {corpus: c, tolerence: 0.05}\n', 'stormcell.yaml: canary.tolerence: unknown field'],
  ])('refuses %j naming the path', async (yaml, message) => {
    const err = await loadConfig(configDir(yaml)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message.startsWith(message)).toBe(true);
  });
});
