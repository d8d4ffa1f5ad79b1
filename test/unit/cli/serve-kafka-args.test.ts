import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';

/** Kafka mode's arguments and start-up failures: one line on stderr that says what is wrong. */
describe('serve --kafka --redis', () => {
  it.each([
    [['--kafka', '127.0.0.1:9092'], 2, /--kafka and --redis go together/],
    [['--redis', 'redis://127.0.0.1:6379'], 2, /--kafka and --redis go together/],
    [['--kafka', 'nohost', '--redis', 'redis://127.0.0.1:6379'], 2, /--kafka: expected host:port/],
    [['--kafka', '127.0.0.1:9092', '--redis', '127.0.0.1:6379'], 2, /--redis: expected a URL such as redis:\/\//],
    [['--kafka', '127.0.0.1:9092', '--redis', 'redis://127.0.0.1:6379', '--data', 'x'], 2, /--data and --record belong to the embedded mode/],
  ])('%j exits %i', (args, status, message) => {
    const r = runCli(['serve', '--config', 'config', ...args]);
    expect(r.status).toBe(status);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('an unreachable Redis fails the start in one line naming it', () => {
    const r = runCli(['serve', '--config', 'config', '--listen', '127.0.0.1:0', '--kafka', '127.0.0.1:9', '--redis', 'redis://127.0.0.1:9']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^stormcell: cannot start: --redis redis:\/\/127\.0\.0\.1:9: cannot connect: connect ECONNREFUSED/m);
  });
});
