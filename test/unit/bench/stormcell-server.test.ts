import { describe, expect, it } from 'vitest';
import { startNodeFlags } from '../../../bench/stormcell-server.js';

describe('the ingest benchmark starts the server as npm start does', () => {
  it('takes the V8 flags of package.json scripts.start', () => {
    const flags = startNodeFlags();
    expect(flags).toContain('--max-semi-space-size=64');
    expect(flags.every((f) => f.startsWith('--'))).toBe(true);
  });
});
