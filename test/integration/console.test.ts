/**
 * Issue #7's console acceptance, in a real headless Chromium (Debian's, driven by playwright-core): a storm sent
 * over HTTP appears on the live list without a reload; its incident page shows the timeline, the cause and the
 * linked ticket, and takes an acknowledgement with who did it; a silence created from the page suppresses the next
 * notification to a webhook receiver; resolving by hand reaches the list live. The incident page's screenshot is
 * checked for what matters (size, drawn, the regions visible and apart, the root cause marked) rather than pixels.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { imageStats } from '../support/image-stats.js';
import { chromiumBinary, needService, useCleanup } from '../support/services.js';
import { startStormcell } from '../support/stormcell-process.js';
import { waitFor } from '../support/wait-for.js';

interface Delivery {
  readonly body: { status: string; alerts: Array<{ labels: Record<string, string> }>; incident: { id: string; status: string; acknowledged?: { by: string } } };
}

/** A webhook receiver that answers 200 and keeps every notification. */
async function startReceiver(): Promise<{ url: string; received: Delivery[]; stop(): Promise<void>; name: string }> {
  const received: Delivery[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Delivery['body'] });
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'webhook receiver',
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A storm on one service: `n` alerts of `names`, one pod each, all firing for the next hour. */
function storm(names: readonly string[], n: number, tag: string): unknown[] {
  const startsAt = new Date(Date.now() - 20_000).toISOString();
  const endsAt = new Date(Date.now() + 3_600_000).toISOString();
  return Array.from({ length: n }, (_, i) => ({
    labels: { alertname: names[i % names.length], service: 'checkout', pod: `checkout-7d9f8b6c5d-${tag}${String(i).padStart(3, '0')}`, cluster: 'eu-1', namespace: 'shop', severity: 'critical' },
    annotations: { summary: 'checkout answers 5xx' },
    startsAt,
    endsAt,
  }));
}

const CONFIG = {
  'topology.yaml': [
    'entities:',
    '  - {id: svc/frontend, kind: service, labels: {service: frontend}}',
    '  - {id: svc/checkout, kind: service, labels: {service: checkout}}',
    '  - {id: svc/payments, kind: service, labels: {service: payments}}',
    '  - {id: db/orders, kind: datastore, labels: {service: orders-db}}',
    'relations:',
    '  - {from: svc/frontend, to: svc/checkout, type: calls}',
    '  - {from: svc/checkout, to: svc/payments, type: calls}',
    '  - {from: svc/checkout, to: db/orders, type: uses}',
    '',
  ].join('\n'),
  'slos.yaml': 'slos:\n  - {name: checkout-availability, objective: 99.9, window: 30d, entity: svc/checkout}\n',
};

function routing(hookUrl: string): string {
  return ['route:', '  receiver: team-web', '  group_wait: 1s', '  group_interval: 2s', '  repeat_interval: 4h', 'receivers:', '  - name: team-web', '    webhook_configs:', `      - url: ${hookUrl}`, ''].join('\n');
}

/** The sev1 colour the console marks a root cause with (console.css `--sev1`). */
const SEV1: readonly [number, number, number] = [0xb4, 0x23, 0x18];

describe.skipIf(needService('chromium', chromiumBinary !== null))('the console in a real headless Chromium (issue #7 acceptance)', () => {
  const cleanup = useCleanup();

  it('shows a storm live, its incident page, takes an acknowledgement, and a silence made there mutes the next notification', async () => {
    const hook = cleanup(await startReceiver());
    const server = cleanup(await startStormcell({ configFiles: { ...CONFIG, 'routing.yaml': routing(hook.url) } }));
    const browser: Browser = await chromium.launch({ executablePath: chromiumBinary as string, args: ['--no-sandbox'] });
    cleanup({ name: 'chromium', stop: () => browser.close() });
    const page: Page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    let loads = 0;
    page.on('load', () => loads++);

    // The console is served by stormcell itself; / leads to it. Nothing yet.
    await page.goto(`${server.url}/`);
    expect(page.url()).toMatch(new RegExp(`^${server.url}/console/(#/incidents)?$`));
    await page.locator('#live[data-state="live"]').waitFor();
    await expect.poll(() => page.locator('td.empty').textContent()).toContain('No incidents yet');

    // A storm over HTTP appears on the list without a reload.
    expect((await server.post('/api/v2/alerts', storm(['HighErrorRate', 'KubePodCrashLooping'], 30, 'a'))).status).toBe(200);
    const row = page.locator('table.incidents tbody tr[data-id]');
    await row.first().waitFor({ timeout: 15_000 });
    expect(loads).toBe(1);
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.first().locator('td.title').textContent()).toMatch(/on svc\/checkout \(\+29 more\)$/);
    expect(await row.first().locator('td.num').nth(1).textContent()).toBe('30');
    const id = (await row.first().getAttribute('data-id')) as string;

    // A ticket about it links, live too.
    const createdAt = new Date(Date.now() - 5_000).toISOString();
    expect((await server.post('/webhook/tickets/generic', { id: 'SUP-7', title: 'checkout fails with 500', createdAt, services: ['checkout'] })).status).toBe(200);
    await expect.poll(() => row.first().locator('td.num').nth(2).textContent(), { timeout: 10_000 }).toBe('1');

    // By keyboard: j selects the row, Enter opens the incident page.
    await page.keyboard.press('j');
    await expect.poll(() => row.first().getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/console/#/incidents/${id}`);
    await page.locator('#timeline li[data-type="alert-attached"]').first().waitFor();
    expect(await page.locator('#facts .cause-entity').textContent()).toBe('svc/checkout');
    expect(await page.locator('#timeline li[data-type="opened"]').count()).toBe(1);
    expect(await page.locator('#timeline li[data-type="alert-attached"]').count()).toBe(30);
    expect(await page.locator('#tickets li[data-ticket="SUP-7"]').textContent()).toContain('checkout fails with 500');
    await expect.poll(() => page.locator('#timeline li[data-type="ticket-linked"]').count()).toBe(1);
    await page.locator('#topology svg g.node.root[data-entity="svc/checkout"]').waitFor();
    expect(await page.locator('#topology svg g.node').count()).toBe(4);
    expect(await page.locator('#alerts .alert-group[data-entity="svc/checkout"] tbody tr').count()).toBe(20); // a page of 20, then "Show all"
    expect(await page.locator('#burn').textContent()).toContain('None of the 1 SLOs burned');

    // The screenshot of the incident page: its size, drawn, and its key regions visible, apart and in order.
    const shot = await page.screenshot({ fullPage: true });
    const stats = await imageStats(browser, shot, [SEV1]);
    expect(stats.width).toBe(1280);
    expect(stats.height).toBeGreaterThan(900);
    expect(stats.colours).toBeGreaterThan(20);
    expect(stats.dominantShare).toBeLessThan(0.9);
    const regions = ['h1', '#facts', '#actions', '#topology', '#tickets', '#burn', '#alerts', '#timeline', '#silence'];
    const boxes = [];
    for (const r of regions) {
      const box = await page.locator(r).boundingBox();
      expect(box, `${r} is laid out`).not.toBeNull();
      expect(box!.width, `${r} width`).toBeGreaterThan(200);
      expect(box!.height, `${r} height`).toBeGreaterThan(20);
      expect(box!.x + box!.width, `${r} fits the viewport's width`).toBeLessThanOrEqual(1280);
      boxes.push({ r, ...box! });
    }
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect(apart, `${a.r} and ${b.r} do not overlap`).toBe(true);
      }
    }
    expect(boxes.find((b) => b.r === '#timeline')!.y).toBeGreaterThan(boxes.find((b) => b.r === '#facts')!.y);
    const graph = await imageStats(browser, await page.locator('#topology svg').screenshot(), [SEV1]);
    expect(graph.found, 'the root cause is drawn in the sev1 colour').toEqual([true]);
    expect(graph.dominantShare).toBeLessThan(0.97);

    // The storm's notification arrived.
    await waitFor(() => hook.received.some((r) => r.body.status === 'firing' && r.body.incident.id === id), { what: 'the firing notification', timeoutMs: 20_000 });

    // Acknowledge from the page: on the timeline with who.
    await page.getByLabel('Who', { exact: true }).fill('alice@example.com');
    await page.getByLabel('Comment (optional)').fill('on it');
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.locator('#timeline li[data-type="acknowledged"]').waitFor();
    expect(await page.locator('#timeline li[data-type="acknowledged"] .msg').textContent()).toBe('acknowledged by alice@example.com: on it');
    expect(await page.locator('#facts').textContent()).toContain('by alice@example.com');
    // The postmortem button opens the draft of `stormcell postmortem`, which names who acknowledged.
    const draftHref = await page.getByRole('link', { name: 'Postmortem draft' }).getAttribute('href');
    const draft = await page.request.get(new URL(draftHref as string, page.url()).toString());
    expect(draft.status()).toBe(200);
    expect(await draft.text()).toMatch(/^# Postmortem: [\s\S]*## Mitigation[\s\S]*alice@example\.com/);
    // Receivers hear of it (the incident changed); waited for, so nothing is in flight when the silence starts.
    await waitFor(() => hook.received.some((r) => r.body.incident.acknowledged?.by === 'alice@example.com'), { what: 'the acknowledged incident notified', timeoutMs: 20_000 });

    // A silence created from the page, with the matchers it offers (the labels the incident's alerts share).
    await expect.poll(() => page.locator('#sil-matchers').inputValue()).toBe('cluster="eu-1", namespace="shop", service="checkout"');
    await page.locator('#sil-who').fill('alice@example.com');
    await page.getByRole('button', { name: 'Create silence' }).click();
    await expect.poll(() => page.locator('#silence .result').textContent()).toMatch(/^Silence \S+ created/);
    const silences = JSON.parse((await (await fetch(`${server.url}/api/v1/silences`)).text())) as Array<{ id: string; createdBy: string; status: { state: string } }>;
    expect(silences).toHaveLength(1);
    expect(silences[0]).toMatchObject({ createdBy: 'alice@example.com', status: { state: 'active' } });
    const silenceId = silences[0]!.id;
    const before = hook.received.length;

    // The next storm matches it: the incident's timeline says the notification was muted, and none arrives.
    expect((await server.post('/api/v2/alerts', storm(['CheckoutQueueBacklog'], 10, 'b'))).status).toBe(200);
    await page.locator('#timeline li[data-type="notification-muted"]', { hasText: `silenced by ${silenceId}` }).first().waitFor({ timeout: 20_000 });
    await new Promise((r) => setTimeout(r, 3_000)); // past group_interval: a notification would have gone by now
    expect(hook.received.slice(before)).toEqual([]);
    expect(hook.received.some((r) => r.body.alerts.some((a) => a.labels['alertname'] === 'CheckoutQueueBacklog'))).toBe(false);

    // Resolve from the page; the list shows it resolved without a reload.
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.locator('#timeline li[data-type="resolved"]', { hasText: 'resolved by alice@example.com' }).waitFor();
    expect(await page.getByRole('button', { name: 'Resolve' }).isDisabled()).toBe(true);
    await page.keyboard.press('u');
    await page.waitForURL('**/console/#/incidents');
    await expect.poll(() => page.locator(`tr[data-id="${id}"] .status`).textContent()).toBe('resolved');

    // The silences page lists the silence and expires it.
    await page.getByRole('link', { name: 'Silences' }).click();
    await page.getByRole('button', { name: `Expire silence ${silenceId}` }).click();
    await expect.poll(() => page.locator(`tr[data-silence="${silenceId}"] .state`).textContent()).toBe('expired');

    expect(loads).toBe(1);
    expect(problems).toEqual([]);
  }, 120_000);

  it('pages a long list and filters it by status, severity and cluster', async () => {
    const server = cleanup(await startStormcell({ configFiles: CONFIG }));
    const browser: Browser = await chromium.launch({ executablePath: chromiumBinary as string, args: ['--no-sandbox'] });
    cleanup({ name: 'chromium', stop: () => browser.close() });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // 120 unrelated incidents: one namespace and alertname each, in two clusters, warning and critical, started two
    // minutes apart (at once, they would be one burst per cluster; with one alertname, one text match).
    const now = Date.now();
    const endsAt = new Date(now + 3_600_000).toISOString();
    const alerts = Array.from({ length: 120 }, (_, i) => ({
      labels: { alertname: `Backlog${i}`, namespace: `team-${i}`, cluster: i % 2 === 0 ? 'eu-1' : 'us-1', severity: i % 3 === 0 ? 'critical' : 'warning' },
      startsAt: new Date(now - (120 - i) * 120_000).toISOString(),
      endsAt,
    }));
    expect((await server.post('/api/v2/alerts', alerts)).status).toBe(200);
    await page.goto(`${server.url}/console/`);
    await expect.poll(() => page.locator('.count').textContent(), { timeout: 15_000 }).toMatch(/^120 of 120 incidents \(120 open\)/);
    expect(await page.locator('table.incidents tbody tr').count()).toBe(50);
    expect(await page.locator('.page-of').textContent()).toBe('Page 1 of 3');
    await page.keyboard.press(']');
    await page.keyboard.press(']');
    expect(await page.locator('.page-of').textContent()).toBe('Page 3 of 3');
    expect(await page.locator('table.incidents tbody tr').count()).toBe(20);

    await page.getByLabel('Cluster').selectOption('us-1');
    await expect.poll(() => page.locator('.count').textContent()).toMatch(/^60 of 120/);
    expect(await page.locator('.page-of').textContent()).toBe('Page 1 of 2');
    await page.getByLabel('Severity').selectOption('sev1'); // critical: every third, so 20 of us-1's 60
    await expect.poll(() => page.locator('.count').textContent()).toMatch(/^20 of 120/);
    expect(await page.locator('table.incidents tbody .sev').allTextContents()).toEqual(Array(20).fill('sev1'));
    await page.getByLabel('Status').selectOption('resolved');
    await expect.poll(() => page.locator('td.empty').textContent()).toBe('No incident matches these filters.');
    expect(page.url()).toContain('#/incidents?status=resolved&severity=sev1&cluster=us-1');

    // `/` jumps to the search box; Escape leaves it and the keys work again.
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Severity').selectOption('');
    await page.locator('h1').click();
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-q');
    await page.keyboard.type('team-7');
    await expect.poll(() => page.locator('.count').textContent()).toMatch(/^6 of 120/); // team-7, -71, -73, … -79 in us-1
    await page.keyboard.press('Escape');
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/console/#/incidents/inc-*');
  }, 90_000);
});
