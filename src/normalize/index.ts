/**
 * The receivers' parsers: one pure function per wire format (CONTRACT §1), each `(body, ts) → Event[]` or a
 * thrown InputError. They never read the clock: `ts` is the request's receive time, passed in.
 */
import type { Event, Instant, ReceiverPath } from '../model/index.js';
import { parseAcknowledgement } from './acknowledgement.js';
import { parseResolution } from './resolution.js';
import { parseAlertmanagerV2 } from './alertmanager-v2.js';
import { parseDeployGeneric } from './deploy-generic.js';
import { parseJira } from './jira.js';
import { parseSli } from './sli.js';
import { parseTicketGeneric } from './ticket-generic.js';
import { parseWebhookV4 } from './webhook-v4.js';

export { parseAcknowledgement, parseAlertmanagerV2, parseDeployGeneric, parseJira, parseResolution, parseSli, parseTicketGeneric, parseWebhookV4 };

/**
 * Parses a request body received on `path` at `ts` into the events it carries. Throws InputError on the first
 * problem, so a request is accepted whole or not at all. Pure: replaying a capture line gives the same events.
 */
export function normalize(path: ReceiverPath, body: unknown, ts: Instant): Event[] {
  switch (path) {
    case '/api/v2/alerts':
      return parseAlertmanagerV2(body, ts);
    case '/webhook/alertmanager':
      return parseWebhookV4(body, ts);
    case '/webhook/tickets/jira':
      return parseJira(body, ts);
    case '/webhook/tickets/generic':
      return parseTicketGeneric(body, ts);
    case '/webhook/deploys/generic':
      return parseDeployGeneric(body, ts);
    case '/api/v1/sli':
      return parseSli(body, ts);
    case '/api/v1/acknowledgements':
      return parseAcknowledgement(body, ts);
    case '/api/v1/resolutions':
      return parseResolution(body, ts);
  }
}
