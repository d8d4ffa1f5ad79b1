import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONSOLE_HEADERS, handleRead, handleSilences, handleTopology, type ConsoleAssets, type IncidentFeed, type ReadModel, type SilenceModel } from './api/index.js';
import { InputError } from './errors.js';
import { renderPostmortem } from './learn/index.js';
import { parseJsonBody, readBody, type Ingestor } from './ingest/index.js';
import { isReceiverPath, type ReceiverPath, type Topology } from './model/index.js';
import { inSpan, requestContext, SpanKind, type Logger, type Metrics } from './obs/index.js';

/** What the HTTP server serves; the app provides it. */
export interface HttpDeps {
  readonly ingestor: Ingestor;
  readonly readModel: ReadModel;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  readonly isReady: () => boolean;
  /**
   * Whether receivers take requests; default `isReady`. In Kafka mode an instance that is still catching up (not
   * ready) already accepts: its requests go to the broker, not to its own engine.
   */
  readonly isAccepting?: () => boolean;
  /** Why the server is not ready (`recovering`, `durable log failed`), for 503 bodies. */
  readonly notReadyReason: () => string;
  /** While stopping, every answer carries `Connection: close` so clients let go of pooled connections. */
  readonly isStopping: () => boolean;
  /** The silences API's model, or null while it is not up yet. */
  readonly silences: () => SilenceModel | null;
  /** The console's event stream (`GET /api/v1/events`); absent where the console is not served. */
  readonly feed?: IncidentFeed;
  /** The topology the console draws neighbourhoods from (`GET /api/v1/topology/neighbourhood`). */
  readonly topology?: Topology;
  /** The console's files under `/console/`; `/` redirects there. */
  readonly console?: ConsoleAssets;
  /** `POST /api/v1/pipeline/reload`: reloads pipeline.yaml through the canary gate; absent where not supported. */
  readonly reloadPipeline?: () => Promise<{ result: 'accepted' | 'refused' | 'invalid'; reasons: readonly string[]; report: string }>;
}

const SOURCE_OF: Record<ReceiverPath, string> = {
  '/api/v2/alerts': 'alertmanager_v2',
  '/webhook/alertmanager': 'webhook_v4',
  '/webhook/tickets/jira': 'jira',
  '/webhook/tickets/generic': 'ticket_generic',
  '/webhook/deploys/generic': 'deploy_generic',
  '/api/v1/sli': 'sli',
  '/api/v1/acknowledgements': 'acknowledgement',
  '/api/v1/resolutions': 'resolution',
};

const PLAIN_PATH = /^\/[A-Za-z0-9/_-]*$/;
const POSTMORTEM_PATH = /^\/api\/v1\/incidents\/([^/]+)\/postmortem$/;

/**
 * The one HTTP server of CONTRACT §1 and §8: receivers (POST), read API, health and metrics (GET).
 * Every error answer is JSON `{"error": "<what is wrong, where>"}`.
 */
export function createHttpServer(deps: HttpDeps): Server {
  const server = createServer((req, res) => {
    void route(deps, req, res);
  });
  server.keepAliveTimeout = 65_000; // longer than typical client idle timeouts, so pooled connections are not cut mid-request
  return server;
}

/**
 * Listens on `host:port` (port 0 picks a free one); resolves with the bound address and `url`, the base URL links
 * in notifications use when no `external_url` is configured.
 */
export async function listenOn(server: Server, host: string, port: number): Promise<{ address: AddressInfo; url: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { address, url: `http://${shown}:${address.port}` };
}

/** How long a graceful stop waits for in-flight requests before cutting connections. */
const STOP_DEADLINE_MS = 5000;

/**
 * Stops listening and waits for in-flight requests. Keep-alive connections (Prometheus holds some) would keep
 * close() waiting until they idle out: each is closed as soon as it is idle, answers meanwhile carry
 * `Connection: close` (see `isStopping`), and what is left is cut after a deadline.
 */
export function closeGracefully(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => server.closeAllConnections(), STOP_DEADLINE_MS);
    server.once('close', () => {
      clearInterval(sweep);
      clearTimeout(deadline);
    });
  });
}

async function route(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (deps.isStopping()) res.shouldKeepAlive = false;
  const raw = req.url ?? '/';
  // A plain path (what every receiver client sends) is its own pathname; anything else goes through URL, which
  // also resolves dot segments and absolute-form targets. Parsing a URL per request costs about 1 % of ingest.
  const url = PLAIN_PATH.test(raw) ? null : new URL(raw, 'http://stormcell');
  const path = url === null ? raw : url.pathname;
  try {
    if (isReceiverPath(path)) {
      if (req.method !== 'POST') return send(res, 405, { error: `${path}: method ${req.method ?? ''} not allowed, use POST` }, { Allow: 'POST' });
      return await receive(deps, path, req, res);
    }
    if (path === '/api/v1/silences' || path.startsWith('/api/v1/silences/')) return await silences(deps, path, req, res);
    if (path === '/api/v1/pipeline/reload' && deps.reloadPipeline !== undefined) {
      if (req.method !== 'POST') return send(res, 405, { error: `${path}: method ${req.method ?? ''} not allowed, use POST` }, { Allow: 'POST' });
      const r = await deps.reloadPipeline();
      // 200 accepted; 409 refused by the canary (the running pipeline stays); 422 a pipeline.yaml that does not load.
      return send(res, r.result === 'accepted' ? 200 : r.result === 'refused' ? 409 : 422, r);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, path.startsWith('/api/') ? 405 : 404, { error: `${path}: method ${req.method ?? ''} not allowed` });
    }
    if (deps.console !== undefined && (path === '/' || path === '/console' || path.startsWith('/console/'))) return serveConsole(deps.console, path, res);
    if (path === '/api/v1/events' && deps.feed !== undefined && req.method === 'GET') return deps.feed.attach(req, res);
    const topology = deps.topology === undefined ? null : handleTopology(deps.topology, path, url === null ? new URLSearchParams() : url.searchParams);
    if (topology !== null) return send(res, topology.status, topology.body);
    switch (path) {
      case '/healthz':
        return send(res, 200, { status: 'ok' });
      case '/readyz':
        return deps.isReady() ? send(res, 200, { status: 'ready' }) : send(res, 503, { status: deps.notReadyReason() });
      case '/metrics': {
        const text = await deps.metrics.registry.metrics();
        res.writeHead(200, { 'Content-Type': deps.metrics.registry.contentType });
        res.end(text);
        return;
      }
    }
    const pm = POSTMORTEM_PATH.exec(path);
    if (pm !== null) return await postmortem(deps, decodeURIComponent(pm[1] as string), res);
    const r = await handleRead(deps.readModel, path, url === null ? new URLSearchParams() : url.searchParams);
    if (r === null) return send(res, 404, { error: `${path}: not found` });
    return send(res, r.status, r.body);
  } catch (err) {
    deps.logger.error({ err, path }, 'request failed');
    if (!res.headersSent) send(res, 500, { error: `${path}: internal error: ${(err as Error).message}` });
    else res.destroy();
  }
}

/** One receiver request, in a `stormcell.receive` span (child of the sender's `traceparent`, if any). */
function receive(deps: HttpDeps, path: ReceiverPath, req: IncomingMessage, res: ServerResponse): Promise<void> {
  return inSpan('stormcell.receive', SpanKind.SERVER, { 'http.request.method': 'POST', 'http.route': path }, async (span) => {
    await receiveIn(deps, path, req, res);
    span.setAttribute('http.response.status_code', res.statusCode);
  }, requestContext(req.headers));
}

async function receiveIn(deps: HttpDeps, path: ReceiverPath, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!(deps.isAccepting ?? deps.isReady)()) return send(res, 503, { error: `${path}: not accepting requests: ${deps.notReadyReason()}` }, { 'Retry-After': '1' });
  let events;
  try {
    const raw = await readBody(req, deps.maxBodyBytes);
    const body = parseJsonBody(raw);
    if (path === '/api/v1/acknowledgements') await checkOpen(deps.readModel, body, 'acknowledge');
    if (path === '/api/v1/resolutions') await checkOpen(deps.readModel, body, 'resolve');
    events = await deps.ingestor.accept(path, raw, body);
  } catch (err) {
    if (!(err instanceof InputError)) {
      // The log could not make the request durable: nothing was acknowledged, the sender should retry.
      deps.logger.error({ err, path }, 'request not made durable');
      deps.metrics.rejected.inc({ path, reason: 'unavailable' });
      return send(res, 503, { error: `${path}: not stored: ${(err as Error).message}` }, { 'Retry-After': '1' });
    }
    deps.metrics.rejected.inc({ path, reason: err.reason });
    const headers: Record<string, string> = err.status === 413 ? { Connection: 'close' } : {};
    return send(res, err.status, { error: err.message }, headers);
  }
  deps.metrics.received.inc({ source: SOURCE_OF[path] }, events.length);
  send(res, 200, { status: 'success', accepted: events.length });
}

/** `GET /api/v1/incidents/{id}/postmortem`: the blameless postmortem draft of `stormcell postmortem`, as Markdown. */
async function postmortem(deps: HttpDeps, id: string, res: ServerResponse): Promise<void> {
  const incident = await deps.readModel.incident(id);
  if (incident === undefined) return send(res, 404, { error: `incident ${JSON.stringify(id)} not found` });
  const text = renderPostmortem({ incident, slos: deps.readModel.slos(), now: Date.now() });
  res.writeHead(200, {
    'Content-Type': 'text/markdown; charset=utf-8',
    'Content-Disposition': `inline; filename="postmortem-${id.replace(/[^A-Za-z0-9_-]/g, '_')}.md"`,
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function silences(deps: HttpDeps, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const model = deps.silences();
  if (model === null) return send(res, 503, { error: `${path}: not ready` }, { 'Retry-After': '1' });
  try {
    const r = await handleSilences(model, req.method ?? 'GET', path, async () => parseJsonBody(await readBody(req, deps.maxBodyBytes)));
    if (r === null) return send(res, 404, { error: `${path}: not found` });
    return send(res, r.status, r.body);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return send(res, err.status, { error: err.message });
  }
}

/**
 * An acknowledgement or a resolution names an open incident: a typo or a late click gets a 404 or 409 instead of a
 * silent no-op.
 */
async function checkOpen(model: ReadModel, body: unknown, verb: 'acknowledge' | 'resolve'): Promise<void> {
  const id = body !== null && typeof body === 'object' ? (body as { incident?: unknown }).incident : undefined;
  if (typeof id !== 'string') return; // the parser names what is wrong
  const inc = await model.incident(id);
  if (inc === undefined) throw new InputError(`incident: ${JSON.stringify(id)} is not an incident`, { status: 404, reason: 'unknown_incident' });
  if (inc.status !== 'open') throw new InputError(`incident: ${id} is resolved, nothing to ${verb}`, { status: 409, reason: 'resolved_incident' });
}

/** The console: `/` and `/console` lead to `/console/`, which is its page; its scripts and styles sit beside it. */
function serveConsole(assets: ConsoleAssets, path: string, res: ServerResponse): void {
  if (path === '/' || path === '/console') {
    res.writeHead(302, { Location: '/console/', 'Content-Length': 0 });
    res.end();
    return;
  }
  const asset = assets.get(path);
  if (asset === null) {
    const why = assets.built ? 'not found' : 'not found: the console is not built (npm run build)';
    return send(res, 404, { error: `${path}: ${why}` });
  }
  res.writeHead(200, { 'Content-Type': asset.contentType, 'Content-Length': asset.body.length, ...CONSOLE_HEADERS });
  res.end(asset.body);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
