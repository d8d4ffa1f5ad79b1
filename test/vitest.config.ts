import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start real Prometheus/Alertmanager/server processes on ephemeral ports;
    // two cores do not gain from more parallel files than that.
    maxWorkers: 2,
  },
});
