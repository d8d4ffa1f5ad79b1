import { Type } from '@sinclair/typebox';
import { ConfigError } from '../../errors.js';
import { SEVERITIES, type Severity } from '../../model/index.js';
import { compileSchema } from '../../model/schema.js';
import { checkHeaderValue, checkUrl, parseConfigObject, rejectTemplate, UrlString } from '../http-config.js';

const SeverityValue = Type.Union(SEVERITIES.map((s) => Type.Literal(s)));
const JiraLabel = Type.String({ pattern: '^\\S+$', expected: 'a Jira label (no spaces)' });

/**
 * `jira_configs` (stormcell's own): one Jira issue per incident at or above `min_severity`. Credentials are either
 * `user` + `api_token` (Jira Cloud, HTTP Basic) or `bearer_token` (a Data Center personal access token).
 */
export const JiraConfigSchema = Type.Object(
  {
    url: UrlString,
    project: Type.String({ minLength: 1 }),
    issue_type: Type.Optional(Type.String({ minLength: 1 })),
    user: Type.Optional(Type.String({ minLength: 1 })),
    api_token: Type.Optional(Type.String({ minLength: 1 })),
    bearer_token: Type.Optional(Type.String({ minLength: 1 })),
    api_version: Type.Optional(Type.Union([Type.Literal(2), Type.Literal(3)])),
    priorities: Type.Optional(
      Type.Object(
        {
          sev1: Type.Optional(Type.String({ minLength: 1 })),
          sev2: Type.Optional(Type.String({ minLength: 1 })),
          sev3: Type.Optional(Type.String({ minLength: 1 })),
          sev4: Type.Optional(Type.String({ minLength: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
    min_severity: Type.Optional(SeverityValue),
    resolve_transition: Type.Optional(Type.String({ minLength: 1 })),
    labels: Type.Optional(Type.Array(JiraLabel)),
  },
  { additionalProperties: false },
);
const checkJiraConfig = compileSchema(JiraConfigSchema);

/** A parsed `jira_configs` entry with defaults applied. */
export interface JiraConfig {
  readonly url: string;
  readonly project: string;
  /** Default `Incident`. */
  readonly issueType: string;
  readonly auth: { readonly kind: 'basic'; readonly user: string; readonly apiToken: string } | { readonly kind: 'bearer'; readonly token: string };
  /** Default 2, which Jira Cloud and Data Center both serve; 3 (Cloud) takes Atlassian Document Format text. */
  readonly apiVersion: 2 | 3;
  /** Jira priority names by severity; a severity without one sends no priority (the project default applies). */
  readonly priorities: Readonly<Partial<Record<Severity, string>>>;
  /** Default `sev2`: incidents less severe than this get no issue. */
  readonly minSeverity: Severity;
  /** The workflow transition that resolves the issue, by name; without it a resolve only comments. */
  readonly resolveTransition: string | undefined;
  /** Added after `stormcell` and the severity. */
  readonly labels: readonly string[];
}

/** Validates one `jira_configs` entry; throws ConfigError naming `at`. */
export function parseJiraConfig(raw: unknown, at: string): JiraConfig {
  const c = parseConfigObject<typeof JiraConfigSchema>(checkJiraConfig, raw, at);
  checkUrl(c.url, `${at}.url`);
  checkHeaderValue(c.bearer_token, `${at}.bearer_token`);
  for (const key of ['project', 'issue_type', 'resolve_transition'] as const) rejectTemplate(c[key], `${at}.${key}`);
  let auth: JiraConfig['auth'];
  if (c.bearer_token !== undefined) {
    if (c.user !== undefined || c.api_token !== undefined) throw new ConfigError(`${at}: use either user and api_token or bearer_token, not both`);
    auth = { kind: 'bearer', token: c.bearer_token };
  } else if (c.user !== undefined && c.api_token !== undefined) {
    auth = { kind: 'basic', user: c.user, apiToken: c.api_token };
  } else {
    const missing = c.user === undefined && c.api_token === undefined ? 'user and api_token, or bearer_token' : c.user === undefined ? 'user' : 'api_token';
    throw new ConfigError(`${at}: missing ${missing}`);
  }
  return Object.freeze({
    url: c.url,
    project: c.project,
    issueType: c.issue_type ?? 'Incident',
    auth,
    apiVersion: c.api_version ?? 2,
    priorities: Object.freeze({ ...c.priorities }),
    minSeverity: c.min_severity ?? 'sev2',
    resolveTransition: c.resolve_transition,
    labels: Object.freeze([...(c.labels ?? [])]),
  });
}
