import { deleteJson, getJson } from './api.js';
import { h, replace } from './element.js';
import { formatTime } from './time-format.js';
import { silenceForm } from './silence-form.js';
import type { SilenceDoc } from './types.js';
import type { View, ViewContext } from './view.js';

const ORDER = { active: 0, pending: 1, expired: 2 } as const;

/** Silences: create one (matchers may come in the route, `#/silences?matchers=…`), list them, expire them. */
export function showSilences(ctx: ViewContext): View {
  const list = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const result = h('p', { class: 'result', role: 'status', 'aria-live': 'polite' });
  replace(ctx.main,
    h('h1', { tabindex: -1 }, 'Silences'),
    h('section', { 'aria-labelledby': 'new-silence-h' }, h('h2', { id: 'new-silence-h' }, 'New silence'),
      silenceForm({ idPrefix: 'new', matchers: ctx.params.get('matchers') ?? '', onCreated: () => void load() })),
    h('section', { 'aria-labelledby': 'silences-h' }, h('h2', { id: 'silences-h' }, 'All silences'), result, list));
  document.title = 'Silences · stormcell';

  async function load(): Promise<void> {
    try {
      draw(await getJson<SilenceDoc[]>('/api/v1/silences'));
    } catch (err) {
      replace(list, h('p', { class: 'error', role: 'alert' }, `Could not load the silences: ${(err as Error).message}`));
    }
  }

  async function expire(s: SilenceDoc): Promise<void> {
    result.classList.remove('error');
    try {
      await deleteJson(`/api/v1/silences/${encodeURIComponent(s.id)}`);
      result.textContent = `Silence ${s.id} expired.`;
    } catch (err) {
      result.classList.add('error');
      result.textContent = `Not expired: ${(err as Error).message}`;
    }
    await load();
  }

  function draw(silences: SilenceDoc[]): void {
    if (silences.length === 0) return replace(list, h('p', {}, 'No silences.'));
    const sorted = [...silences].sort((a, b) => ORDER[a.status.state] - ORDER[b.status.state] || (a.updatedAt < b.updatedAt ? 1 : -1));
    replace(list, h('table', { class: 'silences' },
      h('thead', {}, h('tr', {}, ...['State', 'Matchers', 'Starts', 'Ends', 'Created by', 'Comment', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...sorted.map((s) => h('tr', { 'data-silence': s.id },
        h('td', {}, h('span', { class: `state ${s.status.state}` }, s.status.state)),
        h('td', { class: 'labels' }, ...s.matchers.map((m) => h('code', {}, `${m.name}${m.isEqual ? '' : '!'}${m.isRegex ? '=~' : '='}"${m.value}"`))),
        h('td', {}, formatTime(s.startsAt)),
        h('td', {}, formatTime(s.endsAt)),
        h('td', {}, s.createdBy),
        h('td', {}, s.comment),
        h('td', {}, s.status.state === 'expired' ? '' : h('button', { type: 'button', onclick: () => void expire(s), 'aria-label': `Expire silence ${s.id}` }, 'Expire')))))));
  }

  const timer = setInterval(() => void load(), 10_000);
  void load();
  return { dispose: () => clearInterval(timer) };
}
