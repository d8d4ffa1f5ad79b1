import type { LabelSet } from '../../model/index.js';

/** The annotations whose text describes an alert, in the order they are joined. `message` is Loki ruler style. */
const TEXT_ANNOTATIONS = ['summary', 'description', 'message'] as const;

/**
 * The text an alert is compared by: its alertname, then its summary, description and message annotations,
 * one per line, those missing left out. Labels other than alertname stay out: they say where, not what, and the
 * topology and labels correlators already weigh them.
 */
export function alertText(labels: LabelSet, annotations: LabelSet): string {
  const parts: string[] = [];
  const name = labels['alertname'];
  if (name !== undefined && name !== '') parts.push(name);
  for (const key of TEXT_ANNOTATIONS) {
    const v = annotations[key];
    if (v !== undefined && v !== '') parts.push(v);
  }
  return parts.join('\n');
}

/** The text a ticket is compared by: its title, then its body (when it has one). */
export function ticketText(title: string, body: string): string {
  return body === '' ? title : `${title}\n${body}`;
}
