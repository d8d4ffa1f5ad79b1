/**
 * `rollback_configs`: asks a runbook endpoint to roll back the deploy an incident most likely came from. When the
 * incident fires and its best suspected deploy scores at least `min_score` (and its service is allowed), it sends
 * `{incident, service, badVersion, lastGoodVersion?, score, reason, dryRun}` with the notification's
 * `Idempotency-Key`. The caller enqueues rollback notifications with one key per incident (not per version), so the
 * outbox runs it at most once per incident; a `previousRef` (a rollback already made for this incident) also stops it.
 *
 * IncidentDoc's suspected deploys carry no previous version; `lastGoodVersion` is taken from a `previousVersion`
 * field when the deploy object has one, else omitted. Every decision not to call is `sent` without a ref and logged.
 */
import type { IncidentDoc } from '../../model/index.js';
import { httpRequest, isResponse } from '../http-request.js';
import type { Action, ActionDeps, ActionPlugin, Notification, SendResult } from '../plugin.js';
import { parseRollbackConfig, type RollbackConfig } from './config.js';

/** The request body. */
export interface RollbackRequest {
  incident: IncidentDoc;
  service: string;
  badVersion: string;
  lastGoodVersion?: string;
  score: number;
  reason: string;
  dryRun: boolean;
}

/** The rollback to ask for, or why there is none. */
export type RollbackDecision = { kind: 'rollback'; request: RollbackRequest } | { kind: 'skip'; reason: string };

/** Decides on a notification; pure. */
export function decideRollback(n: Notification, c: RollbackConfig): RollbackDecision {
  if (n.status !== 'firing') return { kind: 'skip', reason: 'incident resolved' };
  if (n.previousRef !== undefined) return { kind: 'skip', reason: `already rolled back: ${n.previousRef}` };
  const top = n.incident.suspectedDeploys[0];
  if (top === undefined) return { kind: 'skip', reason: 'no suspected deploy' };
  if (top.score < c.minScore) return { kind: 'skip', reason: `top suspected deploy scores ${top.score} < min_score ${c.minScore}` };
  if (c.allowServices !== undefined && !c.allowServices.includes(top.service)) return { kind: 'skip', reason: `service ${top.service} not in allow_services` };
  const request: RollbackRequest = {
    incident: n.incident,
    service: top.service,
    badVersion: top.version,
    score: top.score,
    reason: top.reason ?? '',
    dryRun: c.dryRun,
  };
  const previous = (top as { previousVersion?: unknown }).previousVersion;
  if (typeof previous === 'string' && previous !== '') request.lastGoodVersion = previous;
  return { kind: 'rollback', request };
}

class RollbackAction implements Action {
  constructor(
    private readonly config: RollbackConfig,
    private readonly deps: ActionDeps,
  ) {}

  async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const decision = decideRollback(n, this.config);
    if (decision.kind === 'skip') {
      this.deps.logger.debug({ incident: n.incident.id, reason: decision.reason }, 'rollback not requested');
      return { status: 'sent' };
    }
    const { service, badVersion } = decision.request;
    if (this.config.dryRun) {
      this.deps.logger.info({ incident: n.incident.id, service, badVersion }, 'rollback dry run');
      return { status: 'sent', ref: 'dry-run' };
    }
    const r = await httpRequest(
      this.deps,
      { method: this.config.method, url: this.config.url, headers: { ...this.config.headers, 'Idempotency-Key': n.idempotencyKey }, json: decision.request },
      signal,
    );
    return isResponse(r) ? { status: 'sent', ref: `${service}@${badVersion}` } : r;
  }

  async close(): Promise<void> {}
}

/** The `rollback` plugin. `ref` is `<service>@<badVersion>` rolled back, or `dry-run`. */
export const rollback: ActionPlugin<RollbackConfig> = {
  type: 'rollback',
  parseConfig: parseRollbackConfig,
  create: (config, deps) => new RollbackAction(config, deps),
};
