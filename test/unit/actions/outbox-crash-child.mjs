// Runs a transpiled Outbox in its own process until the test SIGKILLs it mid-delivery.
// argv: <dir with outbox.js> <outbox dir> <server url> <count>
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [builtDir, dir, url, countArg] = process.argv.slice(2);
const { Outbox } = await import(pathToFileURL(path.join(builtDir, 'outbox.js')).href);
const logger = { info() {}, warn() {}, error() {}, debug() {}, child: () => logger };
const action = {
  async send(n, signal) {
    const res = await fetch(url, { method: 'POST', headers: { 'Idempotency-Key': n.idempotencyKey }, body: '{}', signal });
    await res.text();
    return res.ok ? { status: 'sent' } : { status: 'retryable', error: new Error(`HTTP ${res.status}`) };
  },
  async close() {},
};
const outbox = await Outbox.open(dir, { actions: () => action, logger, now: Date.now, maxInFlight: 1 });
const notifications = Array.from({ length: Number(countArg) }, (_, i) => {
  const id = `inc-${String(i).padStart(3, '0')}`;
  return {
    receiver: 'r',
    integration: 'webhook/0',
    incident: { id, title: 't', severity: 'sev2', status: 'open', openedAt: '2026-03-01T10:00:00.000Z', resolvedAt: null, alerts: [], tickets: [], suspectedDeploys: [], rootCause: null },
    status: 'firing',
    version: 1,
    idempotencyKey: `${id}:1:r:webhook/0`,
    groupLabels: {},
    commonLabels: {},
    externalURL: 'http://stormcell',
    now: Date.now(),
  };
});
await outbox.enqueue(notifications);
process.stdout.write('enqueued\n');
setInterval(() => {}, 1000);
