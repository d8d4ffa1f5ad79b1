import { describe, expect, it } from 'vitest';
import { alertText, ticketText } from '../../../../src/engine/text/index.js';

describe('alertText', () => {
  it('joins alertname, summary, description and message, one per line', () => {
    expect(
      alertText(
        { alertname: 'KubePodCrashLooping', namespace: 'shop', severity: 'warning' },
        { message: 'restarting', description: 'Pod shop/checkout is crash looping.', summary: 'Pod is crash looping.', runbook_url: 'https://x' },
      ),
    ).toBe('KubePodCrashLooping\nPod is crash looping.\nPod shop/checkout is crash looping.\nrestarting');
  });

  it('leaves out what is missing or empty', () => {
    expect(alertText({ alertname: 'Watchdog' }, { summary: '' })).toBe('Watchdog');
    expect(alertText({}, { description: 'disk full' })).toBe('disk full');
  });
});

describe('ticketText', () => {
  it('is the title, then the body when there is one', () => {
    expect(ticketText('cannot check out', 'spinner forever')).toBe('cannot check out\nspinner forever');
    expect(ticketText('cannot check out', '')).toBe('cannot check out');
  });
});
