import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ENGINE_DIR = new URL('../../../src/engine/', import.meta.url).pathname;

/** What the engine may never touch: I/O, the wall clock, randomness, timers, logging and metrics. */
const FORBIDDEN: Array<[RegExp, string]> = [
  [/from ['"]node:/, 'node: import'],
  [/from ['"](fs|net|http|https|child_process|os|worker_threads)['"]/, 'node core import'],
  [/\bDate\.now\s*\(/, 'Date.now()'],
  [/new Date\(\s*\)/, 'argless new Date()'],
  [/\bMath\.random\s*\(/, 'Math.random()'],
  [/\b(setTimeout|setInterval|setImmediate|queueMicrotask)\s*\(/, 'timer'],
  [/\bperformance\.now\s*\(/, 'performance.now()'],
  [/\bprocess\./, 'process'],
  [/from ['"](pino|prom-client|kafkajs|ioredis)['"]/, 'I/O library'],
  // Any number of `../` (a file in engine/text/ reaches model/ by `../../model/`), then anything but model/.
  [/from ['"](?:\.\.\/)+(?!\.|model\/)/, 'import outside engine/ and model/'],
];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

describe('engine purity', () => {
  const sources = files(ENGINE_DIR);
  it('finds the engine sources', () => {
    expect(sources.length).toBeGreaterThan(5);
  });
  it.each(sources.map((f) => [f.slice(ENGINE_DIR.length), f]))('%s does no I/O and reads no clock', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    for (const [pattern, what] of FORBIDDEN) {
      const line = text.split('\n').findIndex((l) => pattern.test(l));
      expect(line === -1 ? null : `${what} at line ${line + 1}`).toBeNull();
    }
  });
  it('the scan catches a forbidden call', () => {
    expect(FORBIDDEN.some(([p]) => p.test('const t = Date.now();'))).toBe(true);
    expect(FORBIDDEN.some(([p]) => p.test("import { x } from '../obs/index.js';"))).toBe(true);
    expect(FORBIDDEN.some(([p]) => p.test("import { x } from '../../obs/index.js';"))).toBe(true);
    expect(FORBIDDEN.some(([p]) => p.test("import type { LabelSet } from '../../model/index.js';"))).toBe(false);
  });
});
