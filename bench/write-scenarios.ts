import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenarioStats, writeScenarios } from './scenario-corpus.js';

/**
 * CLI: (re)writes the scenario corpus, by default into test/scenarios of this repository:
 * `npx tsc -p bench/tsconfig.json && node dist-bench/bench/write-scenarios.js [--out DIR]`.
 * Constraint: the output depends only on the definitions in bench/scenario-*.ts (and the committed legacy
 * captures), so running it on an unchanged tree changes no byte.
 */
function main(): void {
  const { values } = parseArgs({ options: { out: { type: 'string' } }, strict: true });
  // dist-bench/bench/write-scenarios.js → the repository's test/scenarios.
  const corpusRoot = fileURLToPath(new URL('../../test/scenarios/', import.meta.url));
  const out = values.out ?? corpusRoot;
  const written = writeScenarios(out, corpusRoot);
  let total = 0;
  for (const s of written) {
    const capture = s.files['capture.ndjson'] ?? readFileSync(join(corpusRoot, s.name, 'capture.ndjson'), 'utf8');
    const st = scenarioStats(s, capture);
    total += st.bytes;
    process.stdout.write(`${s.name.padEnd(24)} ${s.kind.padEnd(12)} ${(st.bytes / 1e6).toFixed(2).padStart(6)} MB ${String(st.alerts).padStart(4)} alerts ${st.incidents} incidents (${st.incidentAlerts} alerts)\n`);
  }
  process.stdout.write(`${written.length} scenarios, ${(total / 1e6).toFixed(1)} MB of captures, written to ${out}\n`);
}

main();
