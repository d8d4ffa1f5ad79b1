import { Type, type Static } from '@sinclair/typebox';
import { InputError } from '../errors.js';
import type { Event, Instant, LabelSet, TicketEvent } from '../model/index.js';
import { parseRfc3339 } from '../model/index.js';
import { compileSchema, describeValue } from '../model/schema.js';

/** An Atlassian Document Format body, as Jira Cloud sends `description` through REST API v3 webhooks. */
const AdfDocument = Type.Object({ type: Type.Literal('doc'), content: Type.Array(Type.Unknown()) }, { expected: 'an ADF document' });

/**
 * The fields of a Jira `issue_created`/`issue_updated` webhook we read. Jira sends dozens more (and custom fields);
 * they are not checked. `status` is required: without it an update could not say whether the ticket is resolved.
 */
export const JiraPayload = Type.Object({
  webhookEvent: Type.Union([Type.Literal('jira:issue_created'), Type.Literal('jira:issue_updated')]),
  timestamp: Type.Number({ expected: 'a time in epoch milliseconds' }),
  issue: Type.Object({
    key: Type.String({ minLength: 1 }),
    fields: Type.Object({
      summary: Type.String(),
      description: Type.Optional(Type.Union([Type.String(), Type.Null(), AdfDocument], { expected: 'a string, null or an ADF document' })),
      priority: Type.Optional(Type.Union([Type.Object({ name: Type.String({ minLength: 1 }) }), Type.Null()], { expected: 'an object with a name, or null' })),
      labels: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
      components: Type.Optional(Type.Array(Type.Object({ name: Type.String({ minLength: 1 }) }))),
      status: Type.Object({
        name: Type.String({ minLength: 1 }),
        // Jira's status categories are a fixed set; `undefined` is its "No Category".
        statusCategory: Type.Optional(
          Type.Object({ key: Type.Union(['new', 'indeterminate', 'done', 'undefined'].map((k) => Type.Literal(k))) }),
        ),
      }),
      created: Type.String({ expected: 'a time like 2017-12-07T00:47:08.000+0000' }),
    }),
  }),
});
type JiraPayload = Static<typeof JiraPayload>;

const checkJiraPayload = compileSchema(JiraPayload);

/** Status names that mean "resolved" when Jira sends no status category (older Jira Server). */
const RESOLVED_NAMES = new Set(['done', 'resolved', 'closed']);

/**
 * Parses a Jira issue webhook (`POST /webhook/tickets/jira`) into one ticket event received at `ts`.
 * Throws {@link InputError} on the first problem; other `webhookEvent`s (comments, deletions) are rejected.
 *
 * Mapping: `id` is the issue key, `title` the summary, `body` the description (plain text; an ADF document is
 * reduced to its text nodes, one line per block); `services` are the component names; each Jira label `L`
 * becomes the label `{L: "true"}`, so a ticket label can be matched like any other label. `status` is
 * `resolved` when the status category is `done`, or, without a category, when the status is named
 * Done, Resolved or Closed; otherwise `open`.
 */
export function parseJira(body: unknown, ts: Instant): Event[] {
  const problem = checkJiraPayload(body, '');
  if (problem !== null) throw new InputError(problem);
  const { key, fields } = (body as JiraPayload).issue;

  const createdAt = parseJiraTime(fields.created);
  if (createdAt === null) {
    throw new InputError(`issue.fields.created: expected a time like 2017-12-07T00:47:08.000+0000, got ${describeValue(fields.created)}`);
  }

  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const label of fields.labels ?? []) labels[label] = 'true';

  const event: { -readonly [K in keyof TicketEvent]: TicketEvent[K] } = {
    kind: 'ticket',
    at: ts,
    source: 'jira',
    id: key,
    title: fields.summary,
    body: descriptionText(fields.description),
    createdAt,
    status: ticketStatus(fields.status),
    services: (fields.components ?? []).map((c) => c.name),
    labels: labels as LabelSet,
  };
  if (fields.priority !== undefined && fields.priority !== null) event.priority = fields.priority.name;
  return [event];
}

/**
 * Jira writes offsets without a colon (`+0000`, `+0100`), which RFC 3339 requires; both forms are accepted.
 */
function parseJiraTime(s: string): Instant | null {
  return parseRfc3339(s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

function ticketStatus(status: JiraPayload['issue']['fields']['status']): 'open' | 'resolved' {
  const category = status.statusCategory?.key;
  if (category !== undefined && category !== 'undefined') return category === 'done' ? 'resolved' : 'open';
  return RESOLVED_NAMES.has(status.name.toLowerCase()) ? 'resolved' : 'open';
}

function descriptionText(description: JiraPayload['issue']['fields']['description']): string {
  if (description === undefined || description === null) return '';
  if (typeof description === 'string') return description;
  const out: string[] = [];
  collectAdfText(description.content, out, 0);
  return out.join('').replace(/\n+$/, '');
}

/** ADF nodes that sit inside a line; every other node with content is a block and ends its line. */
const ADF_INLINE = new Set(['text', 'hardBreak', 'mention', 'emoji', 'inlineCard', 'date', 'status', 'mediaInline']);
/** Real documents nest a few levels; the cap keeps a hostile body from exhausting the stack. */
const MAX_ADF_DEPTH = 32;

function collectAdfText(nodes: unknown, out: string[], depth: number): void {
  if (!Array.isArray(nodes) || depth > MAX_ADF_DEPTH) return;
  for (const node of nodes) {
    if (node === null || typeof node !== 'object') continue;
    const n = node as { type?: unknown; text?: unknown; content?: unknown };
    if (n.type === 'text') {
      if (typeof n.text === 'string') out.push(n.text);
      continue;
    }
    if (n.type === 'hardBreak') {
      out.push('\n');
      continue;
    }
    collectAdfText(n.content, out, depth + 1);
    if (typeof n.type === 'string' && !ADF_INLINE.has(n.type) && out.length > 0 && out[out.length - 1] !== '\n') out.push('\n');
  }
}
