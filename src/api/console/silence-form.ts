import { postJson } from './api.js';
import { h } from './element.js';

const DURATIONS: Array<[string, number]> = [['30 minutes', 30], ['1 hour', 60], ['2 hours', 120], ['4 hours', 240], ['8 hours', 480], ['1 day', 1440], ['7 days', 10080]];
const WHO_KEY = 'stormcell.who';

/** The name the console remembers for acknowledgements, resolutions and silences (this browser only). */
export function rememberedWho(): string {
  try {
    return localStorage.getItem(WHO_KEY) ?? '';
  } catch {
    return '';
  }
}

/** Remembers the name for the next action, in this browser. */
export function rememberWho(who: string): void {
  try {
    localStorage.setItem(WHO_KEY, who);
  } catch {
    // Storage may be off (private mode): the name is then asked for each time, which is all this costs.
  }
}

/** One matcher in Alertmanager's syntax: `name="value"`, the value escaped. */
export function equalMatcher(name: string, value: string): string {
  return `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * A form that creates a silence (`POST /api/v1/silences` with matchers in Alertmanager's syntax, as amtool takes
 * them): matchers, duration, who and why. `onlyIncident` adds a box that narrows the silence to that incident.
 */
export function silenceForm(opts: { idPrefix: string; matchers: string; comment?: string; onlyIncident?: string; onCreated(id: string): void }): HTMLFormElement {
  const p = opts.idPrefix;
  const matchers = h('input', { id: `${p}-matchers`, name: 'matchers', type: 'text', value: opts.matchers, required: true, spellcheck: 'false', autocomplete: 'off', 'aria-describedby': `${p}-matchers-help` });
  const duration = h('select', { id: `${p}-duration`, name: 'duration' }, ...DURATIONS.map(([text, min]) => h('option', { value: min, selected: min === 120 }, text)));
  const who = h('input', { id: `${p}-who`, name: 'createdBy', type: 'text', value: rememberedWho(), required: true, autocomplete: 'username' });
  const comment = h('input', { id: `${p}-comment`, name: 'comment', type: 'text', value: opts.comment ?? '' });
  const only = opts.onlyIncident === undefined ? null : h('input', { id: `${p}-only`, type: 'checkbox' });
  const result = h('p', { class: 'result', role: 'status', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create silence');

  const form = h('form', { class: 'silence-form', novalidate: true },
    h('div', { class: 'field wide' }, h('label', { for: matchers.id }, 'Matchers'), matchers,
      h('small', { id: `${p}-matchers-help` }, 'Alertmanager syntax, e.g. service="checkout", cluster=~"eu-.*". They match an incident\'s labels: those all its alerts share, severity (sev1–sev4), status and incident.')),
    only === null ? null : h('div', { class: 'field check' }, only, h('label', { for: only.id }, 'Only this incident')),
    h('div', { class: 'field' }, h('label', { for: duration.id }, 'Duration'), duration),
    h('div', { class: 'field' }, h('label', { for: who.id }, 'Created by'), who),
    h('div', { class: 'field wide' }, h('label', { for: comment.id }, 'Comment'), comment),
    h('div', { class: 'actions' }, submit),
    result,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    result.classList.remove('error');
    let m = matchers.value.trim();
    if (m === '' || who.value.trim() === '') {
      result.classList.add('error');
      result.textContent = m === '' ? 'Matchers: at least one is needed.' : 'Created by: say who you are.';
      (m === '' ? matchers : who).focus();
      return;
    }
    if (only?.checked === true && opts.onlyIncident !== undefined) m = `${m.replace(/^\{|\}$/g, '')}, ${equalMatcher('incident', opts.onlyIncident)}`;
    rememberWho(who.value.trim());
    submit.disabled = true;
    const endsAt = new Date(Date.now() + Number(duration.value) * 60_000).toISOString();
    postJson<{ silenceID: string }>('/api/v1/silences', { matchers: m, endsAt, createdBy: who.value.trim(), comment: comment.value })
      .then(({ silenceID }) => {
        result.textContent = `Silence ${silenceID} created, until ${endsAt.slice(0, 16).replace('T', ' ')}Z.`;
        opts.onCreated(silenceID);
      })
      .catch((err: unknown) => {
        result.classList.add('error');
        result.textContent = `Not created: ${(err as Error).message}`;
      })
      .finally(() => {
        submit.disabled = false;
      });
  });
  return form;
}
