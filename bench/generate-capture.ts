import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCaptureConfig } from './capture-config.js';
import { parseArgs } from 'node:util';
import { generateCapture } from './capture-generator.js';

/**
 * CLI: writes a generated capture to stdout, e.g.
 * `node dist-bench/bench/generate-capture.js --seed 1 --hours 6 > cap.ndjson [--truth truth.json] [--config-out DIR]`
 * (`--config-out` writes the estate's topology.yaml and slos.yaml, for `stormcell replay --config DIR`).
 * Constraint: the output depends only on the flags, so a capture can be regenerated instead of committed.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '1' },
      hours: { type: 'string', default: '6' },
      clusters: { type: 'string' },
      start: { type: 'string' },
      'no-faults': { type: 'boolean', default: false },
      truth: { type: 'string' },
      'config-out': { type: 'string' },
    },
    strict: true,
  });
  const seed = Number(values.seed);
  const hours = Number(values.hours);
  if (!Number.isInteger(seed) || !(hours > 0)) {
    process.stderr.write('usage: generate-capture --seed N --hours H [--clusters eu-1,us-1] [--start RFC3339] [--no-faults] [--truth FILE] [--config-out DIR]\n');
    process.exit(2);
  }
  const clusters = values.clusters === undefined ? undefined : values.clusters.split(',').filter((c) => c !== '');
  const lines = generateCapture({
    seed, hours,
    ...(clusters === undefined ? {} : { clusters }),
    ...(values.start === undefined ? {} : { start: values.start }),
    faults: !values['no-faults'],
  });
  if (values.truth !== undefined) writeFileSync(values.truth, JSON.stringify(lines.truth, null, 2) + '\n');
  const configOut = values['config-out'];
  if (configOut !== undefined) {
    mkdirSync(configOut, { recursive: true });
    for (const [name, text] of Object.entries(generateCaptureConfig({ seed, ...(clusters === undefined ? {} : { clusters }) }))) {
      writeFileSync(join(configOut, name), text);
    }
  }
  // Written in slices with backpressure: a 6-hour capture is ~100 MB, too much for one string write to a pipe.
  for (let i = 0; i < lines.length; i += 2000) {
    const chunk = lines.slice(i, i + 2000).join('\n') + '\n';
    if (!process.stdout.write(chunk)) await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
}

await main();
