import { describe, expect, it } from 'vitest';
import { MAX_TEXT_CHARS, Tokenizer, tokenize } from '../../../../src/engine/text/index.js';

describe('tokenize', () => {
  it.each([
    ['splits PascalCase alert names and stems', 'KubePodCrashLooping', ['kube', 'pod', 'crash', 'loop']],
    ['keeps an acronym whole before a word', 'CPUThrottlingHigh', ['cpu', 'throttl', 'high']],
    ['splits camelCase', 'httpRequestsFailing', ['http', 'request', 'fail']],
    ['splits snake_case', 'http_requests_total', ['http', 'request', 'total']],
    ['splits kebab-case and paths', 'monitoring/node-exporter', ['monitor', 'node', 'export']],
    ['lowercases', 'DISK Full', ['disk', 'full']],
    ['stems inflections to one term', 'connections connecting connected', ['connect', 'connect', 'connect']],
    ['drops English stop words', 'the pod is not ready', ['pod', 'not', 'readi']],
    ['keeps the stop words that mean something in alerts', 'target up, request timed out', ['target', 'up', 'request', 'time', 'out']],
    ['drops a Deployment pod name\'s hashes', 'pod shop/checkout-7d9f8b6c5d-x2x7q is crash looping', ['pod', 'shop', 'checkout', 'crash', 'loop']],
    ['drops hashes that hold no digit', 'in pod inventory-7s7ft7vlsk-lkwtn.', ['pod', 'inventori']],
    ['drops a DaemonSet pod suffix', 'node-exporter-wwhds down', ['node', 'export', 'down']],
    ['drops a lone pod hash with digits', 'pod x2x7q', ['pod']],
    ['drops UUIDs', 'trace 123e4567-e89b-12d3-a456-426614174000 lost', ['trace', 'lost']],
    ['drops hex ids', 'container 4f2a9c1b7e3d restarted at 1a2b3c', ['contain', 'restart']],
    ['drops numbers', '31.8% of 10.0.173.118:8443 in 5m', []],
    ['drops long opaque ids', 'request a8Fz0Qx7Lm2Pq9Rs failed', ['request', 'fail']],
    ['drops digits inside words, keeping the word', 'db01 node7', ['db', 'node']],
    ['keeps words that are valid hex but hold no digit', 'deadbeef cafe', ['deadbeef', 'cafe']],
    ['gives nothing for empty text', '', []],
  ])('%s', (_name, text, terms) => {
    expect(tokenize(text)).toEqual(terms);
  });

  it('is deterministic', () => {
    const text = 'Job analytics/report-generator-29540580 failed to complete. Removing failed job should clear this alert.';
    expect(tokenize(text)).toEqual(tokenize(text));
  });

  it(`reads only the first ${MAX_TEXT_CHARS} characters`, () => {
    const n = Math.floor(MAX_TEXT_CHARS / 5);
    const text = 'disk '.repeat(n) + ' '.repeat(MAX_TEXT_CHARS - 5 * n) + 'memory';
    const terms = tokenize(text);
    expect(terms).toHaveLength(n);
    expect(terms).not.toContain('memori');
    expect(tokenize(text.slice('memory'.length))).toContain('memori'); // the same text, shifted under the limit
  });
});

describe('Tokenizer', () => {
  it('gives the same terms as tokenize, whether or not its stem cache is full', () => {
    const texts = ['KubePodCrashLooping', 'PostgresTooManyConnections on orders-db', 'connections refused', 'KubePodNotReady'];
    const big = new Tokenizer();
    const tiny = new Tokenizer({ cacheSize: 2 }); // empties its cache every other word
    for (let round = 0; round < 2; round++) {
      for (const t of texts) {
        expect(big.tokenize(t)).toEqual(tokenize(t));
        expect(tiny.tokenize(t)).toEqual(tokenize(t));
      }
    }
  });
});
