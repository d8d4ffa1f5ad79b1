/**
 * Reloading the correlation pipeline of a running server (issue #7): `POST /api/v1/pipeline/reload` and SIGHUP
 * read the config dir's pipeline.yaml again; with `canary` in stormcell.yaml the candidate must pass the canary gate
 * on the scenario corpus, and a refused or broken candidate leaves the running pipeline in place.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { httpGet, httpPostJson, makeTempDir, tempDirCleanup, useCleanup } from '../support/services.js';
import { startStormcell } from '../support/stormcell-process.js';
import { waitFor } from '../support/wait-for.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const DEFAULT = readFileSync(join(ROOT, 'pipelines', 'default.yaml'), 'utf8');

function variant(name: string, from: RegExp, to: string): string {
  if (!from.test(DEFAULT)) throw new Error(`pipelines/default.yaml no longer matches ${from}`);
  return DEFAULT.replace(/^name: default$/m, `name: ${name}`).replace(from, to);
}

async function reloadsCounted(url: string): Promise<Record<string, number>> {
  const text = (await httpGet(`${url}/metrics`)).text;
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^stormcell_pipeline_reloads_total\{result="(\w+)"\} (\d+)/gm)) out[m[1] as string] = Number(m[2]);
  return out;
}

describe('pipeline reload through the canary gate', () => {
  const cleanup = useCleanup();

  it('refuses a candidate that breaks a corpus scenario, rejects one that does not load, and takes a harmless one on SIGHUP', async () => {
    const config = cleanup(tempDirCleanup(await makeTempDir('reload'))).dir;
    for (const s of ['bad-deploy', 'network-fault']) cpSync(join(ROOT, 'test', 'scenarios', s), join(config, 'corpus', s), { recursive: true });
    cpSync(join(ROOT, 'test', 'scenarios', 'thresholds.yaml'), join(config, 'corpus', 'thresholds.yaml'));
    writeFileSync(join(config, 'stormcell.yaml'), 'canary:\n  corpus: corpus\n  tolerance: 0.01\n');
    writeFileSync(join(config, 'pipeline.yaml'), DEFAULT);
    const server = cleanup(await startStormcell({ configDir: config }));

    // A burst correlator that needs seven entities loses network-fault: refused, the running pipeline stays.
    writeFileSync(join(config, 'pipeline.yaml'), variant('burst-7', /min_entities: 6/, 'min_entities: 7'));
    const refused = await httpPostJson(`${server.url}/api/v1/pipeline/reload`, {}, 60_000);
    expect(refused.status).toBe(409);
    const body = JSON.parse(refused.text) as { result: string; reasons: string[]; report: string };
    expect(body.result).toBe('refused');
    expect(body.reasons[0]).toMatch(/^network-fault: pairwiseF1 0\.893 -> 0\.439/);
    expect(body.report).toContain('**Refused**');

    writeFileSync(join(config, 'pipeline.yaml'), 'name: broken\ncorrelators: nope\n');
    const invalid = await httpPostJson(`${server.url}/api/v1/pipeline/reload`, {}, 60_000);
    expect(invalid.status).toBe(422);
    expect(invalid.text).toMatch(/pipeline\.yaml/);

    // A longer topology window breaks nothing: SIGHUP reloads it.
    writeFileSync(join(config, 'pipeline.yaml'), variant('topology-25m', /window: 20m/, 'window: 25m'));
    server.process.child.kill('SIGHUP');
    const counted = await waitFor(async () => {
      const c = await reloadsCounted(server.url);
      return c['accepted'] === 1 ? c : undefined;
    }, { what: 'the SIGHUP reload accepted', timeoutMs: 60_000, intervalMs: 250 });
    expect(counted).toEqual({ accepted: 1, refused: 1, invalid: 1 });
    expect(server.process.output()).toMatch(/"pipeline":"topology-25m".*"msg":"pipeline reloaded"/);

    // The server goes on with the new pipeline, and after kill -9 recovers from the snapshot the reload took.
    const storm = Array.from({ length: 5 }, (_, i) => ({ labels: { alertname: 'KubePodCrashLooping', cluster: 'eu-1', namespace: 'shop', pod: `p-${i}` } }));
    expect((await server.post('/api/v2/alerts', storm)).status).toBe(200);
    const before = await server.incidents();
    await server.kill('SIGKILL');
    await server.restart();
    expect((await server.incidents()).map((i) => [i.id, i.alerts.length])).toEqual(before.map((i) => [i.id, i.alerts.length]));
  }, 180_000);
});
