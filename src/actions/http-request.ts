/**
 * The one way built-in plugins talk HTTP: send a request with `deps.fetch`, read the body, and either hand back a
 * 2xx response or the classified {@link SendResult}. Keeping this in one place keeps the classification identical
 * across plugins (STYLE §B).
 */
import { classifyFetchError, classifyStatus, type ActionDeps, type SendResult } from './plugin.js';

/** One request: JSON bodies are serialized here, with `Content-Type: application/json`. */
export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly json?: unknown;
}

/** A 2xx response with its body read as text. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** Identifies stormcell to remotes, as Alertmanager sends `Alertmanager/<version>`. */
export const USER_AGENT = 'stormcell/0.1';

/**
 * Sends `req` and returns the 2xx response, or the result to return from `send` for anything else. Network errors
 * and aborts become `retryable`; errors that are bugs (a bad header value) are thrown, never retried.
 */
export async function httpRequest(deps: ActionDeps, req: HttpRequest, signal: AbortSignal): Promise<HttpResponse | SendResult> {
  const what = describeRemote(req.url);
  const headers: Record<string, string> = { 'User-Agent': USER_AGENT, Accept: 'application/json', ...req.headers };
  if (req.json !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  let text: string;
  try {
    res = await deps.fetch(req.url, {
      method: req.method,
      headers,
      body: req.json === undefined ? undefined : JSON.stringify(req.json),
      signal,
    });
    text = await res.text();
  } catch (err) {
    return classifyFetchError(err, signal, what);
  }
  if (res.status >= 200 && res.status < 300) return { status: res.status, headers: res.headers, text };
  return classifyStatus(res.status, res.headers.get('retry-after'), text, deps.now(), what);
}

/** Whether `r` is a response rather than a result: lets a plugin write `if (!isResponse(r)) return r`. */
export function isResponse(r: HttpResponse | SendResult): r is HttpResponse {
  return typeof (r as HttpResponse).text === 'string' && typeof (r as HttpResponse).status === 'number';
}

/** Names a remote in messages by method-free `host`, never the full URL (Slack's webhook URL is a secret). */
export function describeRemote(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    // Config validated the URL at load; a plugin building a bad one is a bug that fetch will report on its own.
    return 'remote';
  }
}

/**
 * Parses a 2xx JSON body, or returns a `failed` result: a 2xx with a body we cannot read means the remote is not
 * what the config says it is, and sending again would not change that.
 */
export function parseJsonBody(res: HttpResponse, what: string): { value: unknown } | SendResult {
  try {
    return { value: JSON.parse(res.text) as unknown };
  } catch (err) {
    return { status: 'failed', error: new Error(`${what} answered HTTP ${res.status} with a body that is not JSON`, { cause: err }) };
  }
}
