/**
 * The action plugin interface (STYLE §B) and the one classification of HTTP outcomes that every built-in shares.
 * A plugin only formats, sends and classifies; retry, backoff, the breaker, timeouts and idempotency live in
 * `outbox.ts`.
 */
import type { IncidentDoc, Instant, LabelSet } from '../model/index.js';
import type { Logger } from '../obs/index.js';

/**
 * One notification of one incident state to one integration of one receiver. Built by the caller (the router),
 * persisted by the outbox before it is sent, and handed to {@link Action.send} as is, except `previousRef`, which the
 * outbox fills in at send time from what the same lane returned last (see `Outbox`).
 */
export interface Notification {
  /** The receiver's name in routing.yaml. */
  readonly receiver: string;
  /** The integration within the receiver: its type and index, `webhook/0`; see {@link integrationName}. */
  readonly integration: string;
  readonly incident: IncidentDoc;
  readonly status: 'firing' | 'resolved';
  /** The incident's notification state version: it grows whenever what a receiver would be told changes. */
  readonly version: number;
  /** `${incident.id}:${version}:${receiver}:${integration}`, made by the caller with {@link idempotencyKey}. */
  readonly idempotencyKey: string;
  /** The routing labels the route grouped by. */
  readonly groupLabels: LabelSet;
  /** The incident's common labels plus severity and status, as routing saw them. */
  readonly commonLabels: LabelSet;
  /** Where the incident can be looked at: stormcell's own URL, without the `/incidents/<id>` part. */
  readonly externalURL: string;
  /** What an earlier send of this receiver and integration for this incident returned as `ref`. */
  readonly previousRef?: string;
  /** When the notification was made. A plugin that needs the current time reads {@link ActionDeps.now}. */
  readonly now: Instant;
  /**
   * The router's digest of what this notification says (status, severity, alerts, cause). The outbox keeps it after
   * the body is dropped, so a restarted router knows what each receiver was told without the whole incident.
   */
  readonly digest?: string;
  /**
   * Set on a deploy annotation instead of an incident notification: only integrations that mark deploys (Grafana)
   * get these, and `incident` then only names the deploy (its id keys the outbox, its title says what it is).
   */
  readonly deploy?: DeployNote;
}

/** A deploy as it is annotated on dashboards. */
export interface DeployNote {
  readonly service: string;
  readonly version: string;
  readonly previousVersion?: string;
  readonly status: 'succeeded' | 'failed' | 'rolled_back';
  readonly at: Instant;
  readonly cluster?: string;
  readonly namespace?: string;
  readonly environment?: string;
  readonly author?: string;
  readonly commit?: string;
  readonly url?: string;
}

/** What a plugin instance may use: no globals (STYLE §A). The logger is already scoped to receiver and integration. */
export interface ActionDeps {
  readonly logger: Logger;
  readonly fetch: typeof fetch;
  readonly now: () => Instant;
}

/**
 * An ActionPlugin turns a receiver's config into an Action. Registered in `actions/registry.ts` under the config key
 * `<type>_configs`. `parseConfig` runs at config load time and throws `ConfigError` naming `at`, never at send time.
 */
export interface ActionPlugin<C> {
  /** The config key without `_configs`: `webhook`, `slack`, …; lowercase letters, digits and `_`. */
  readonly type: string;
  /** Validates one `<type>_configs` entry; `at` names it in messages (`routing.yaml: receivers[1].slack_configs[0]`). */
  parseConfig(raw: unknown, at: string): C;
  create(config: C, deps: ActionDeps): Action;
}

/** One configured integration of one receiver. `send` must not throw for an expected failure: it returns it. */
export interface Action {
  send(n: Notification, signal: AbortSignal): Promise<SendResult>;
  close(): Promise<void>;
}

/**
 * The outcome of one send, as data (STYLE §G3). `sent` may carry a `ref` the remote gave back (an annotation id, an
 * issue key) for later sends of the same incident; `retryable` may say when to try again.
 */
export type SendResult =
  | { status: 'sent'; ref?: string }
  | { status: 'retryable'; error: Error; retryAfterMs?: number }
  | { status: 'failed'; error: Error };

/** The integration name of the `index`th entry of a receiver's `<type>_configs` list: `webhook/0`. */
export function integrationName(type: string, index: number): string {
  return `${type}/${index}`;
}

/** The idempotency key of one notification; unique per incident state version, receiver and integration. */
export function idempotencyKey(incidentId: string, version: number, receiver: string, integration: string): string {
  return `${incidentId}:${version}:${receiver}:${integration}`;
}

/** How much of an error response body goes into an error message: enough to read Slack's or Jira's reason. */
const MAX_ERROR_BODY_CHARS = 512;

/**
 * Classifies a response that is not what a plugin expected by its status: 2xx is `sent`; 429 and 5xx are `retryable`,
 * honouring `Retry-After`; any other status is `failed`. The body is read (cut to 512 characters) into the error,
 * since Slack and Jira say there what was wrong; `what` names the remote (a host, never a URL, which may hold a
 * secret as Slack's does).
 */
export async function classifyResponse(res: Response, now: Instant, what: string): Promise<SendResult> {
  const body = await readBodySnippet(res);
  return classifyStatus(res.status, res.headers.get('retry-after'), body, now, what);
}

/** {@link classifyResponse} for a response whose body was already read. */
export function classifyStatus(status: number, retryAfter: string | null, body: string, now: Instant, what: string): SendResult {
  if (status >= 200 && status < 300) return { status: 'sent' };
  const snippet = body.length > MAX_ERROR_BODY_CHARS ? `${body.slice(0, MAX_ERROR_BODY_CHARS)}…` : body;
  const error = new Error(`${what} answered HTTP ${status}${snippet.trim() === '' ? '' : `: ${snippet.trim()}`}`);
  if (status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return retryAfterMs === undefined ? { status: 'retryable', error } : { status: 'retryable', error, retryAfterMs };
  }
  return { status: 'failed', error };
}

/**
 * Classifies what `fetch` (or reading its body) threw. An aborted signal (our per-attempt timeout, shutdown) and
 * undici's network failures (`TypeError: fetch failed` / `terminated`, with the socket error as `cause`) are
 * `retryable`. Anything else is a bug in our code (a bad header value is a `TypeError` too, but without a network
 * cause) and is rethrown, so it is never retried (STYLE §D).
 */
export function classifyFetchError(err: unknown, signal: AbortSignal, what: string): SendResult {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    const detail = reason instanceof Error ? reason.message : 'aborted';
    return { status: 'retryable', error: new Error(`${what}: request aborted: ${detail}`, { cause: err }) };
  }
  if (isNetworkError(err)) {
    const cause = (err as Error).cause;
    const detail = cause instanceof Error ? `: ${(cause as NodeJS.ErrnoException).code ?? cause.message}` : '';
    return { status: 'retryable', error: new Error(`${what}: network error${detail}`, { cause: err }) };
  }
  throw err;
}

/**
 * Whether `err` is undici's report of a failed exchange rather than of a bad call: `fetch failed` (connect, TLS, reset
 * before the response) and `terminated` (the socket closed while the body was read), both `TypeError`s that carry the
 * underlying error as `cause`, and aborts that no signal of ours caused (a body stream timing out).
 */
function isNetworkError(err: unknown): boolean {
  if (err instanceof TypeError) return (err.message === 'fetch failed' || err.message === 'terminated') && err.cause !== undefined;
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}

/**
 * Parses `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Undefined when absent or unreadable, so the
 * outbox falls back to its own backoff instead of guessing; a date in the past is 0.
 */
export function parseRetryAfter(value: string | null, now: Instant): number | undefined {
  if (value === null) return undefined;
  const s = value.trim();
  if (/^[0-9]+$/.test(s)) return Number(s) * 1000;
  // HTTP-dates are IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`); Date.parse reads them and their obsolete forms.
  if (!/[a-z]/i.test(s)) return undefined;
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Reads a response body as text; a body that cannot be read (the peer hung up) reads as what arrived: nothing. */
async function readBodySnippet(res: Response): Promise<string> {
  try {
    return await res.text();
  } catch (err) {
    // The status is what classification needs; a lost error body only costs the message its detail.
    return `(body unreadable: ${err instanceof Error ? err.message : 'unknown'})`;
  }
}
