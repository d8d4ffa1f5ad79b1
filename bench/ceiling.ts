import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fingerprint } from '../src/model/fingerprint.js';
import { isMainModule, spawnNode, waitForJsonLine, type BenchChild } from './spawn-node.js';

/** A running ceiling receiver in its own process. */
export interface CeilingServer {
  readonly child: BenchChild;
  readonly url: string;
}

/**
 * Starts the ceiling: a bare node:http receiver for `POST /api/v2/alerts` that only reads the body, parses the JSON
 * array and stores each alert in a Map under its fingerprint. Whatever stormcell does beyond that (validation, the
 * WAL and its fsync, the engine) is what the ratio to this ceiling prices.
 * Constraint: runs in a child process pinned to `cpu`, like the server it is compared with.
 */
export async function startCeiling(cpu: number | null): Promise<CeilingServer> {
  const child = spawnNode([new URL(import.meta.url).pathname], cpu);
  const { port } = await waitForJsonLine<{ port: number }>(child, 'port', (l) => typeof l.port === 'number', 10_000);
  return { child, url: `http://127.0.0.1:${port}` };
}

function serve(): void {
  const alerts = new Map<string, unknown>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || req.url !== '/api/v2/alerts') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"body: not JSON"}');
        return;
      }
      if (!Array.isArray(body)) {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"body: expected an array"}');
        return;
      }
      for (const alert of body as Array<{ labels: Record<string, string> }>) alerts.set(fingerprint(alert.labels), alert);
      res.writeHead(200).end();
    });
  });
  // Outlive the load generator's idle gaps so keep-alive sockets are never torn down mid-run.
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + '\n');
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

if (isMainModule(import.meta.url)) serve();
