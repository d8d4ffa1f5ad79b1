import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { App, type AppOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';

/** An App embedded in the test process on an ephemeral port, with its own temp config and data dirs. */
export interface EmbeddedApp {
  app: App;
  url: string;
  dataDir: string;
  configDir: string;
  recordPath: string;
  post(path: string, body: unknown): Promise<{ status: number; body: any }>;
  get(path: string): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
  cleanup(): Promise<void>;
}

/** Starts an App; `files` are written into its config dir (e.g. `{'stormcell.yaml': 'max_body_bytes: 2048'}`). */
export async function startEmbeddedApp(
  files: Record<string, string> = {},
  reuse?: { dataDir: string; configDir: string },
  extra: Partial<AppOptions> = {},
): Promise<EmbeddedApp> {
  const root = reuse === undefined ? await mkdtemp(join(tmpdir(), 'stormcell-app-')) : undefined;
  const configDir = reuse?.configDir ?? join(root as string, 'config');
  const dataDir = reuse?.dataDir ?? join(root as string, 'data');
  if (reuse === undefined) {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(configDir, { recursive: true });
    for (const [name, text] of Object.entries(files)) await writeFile(join(configDir, name), text);
  }
  const recordPath = join(dataDir, '..', 'record.ndjson');
  const config = await loadConfig(configDir);
  const app = new App({
    config,
    dataDir,
    listen: { host: '127.0.0.1', port: 0 },
    recordPath,
    logger: pino({ level: 'silent' }),
    ...extra,
  });
  const { port } = await app.start();
  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  const e: EmbeddedApp = {
    app,
    url,
    dataDir,
    configDir,
    recordPath,
    async post(path, body) {
      const res = await fetch(url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text === '' ? null : JSON.parse(text) };
    },
    async get(path) {
      const res = await fetch(url + path);
      const text = await res.text();
      return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.stop();
    },
    async cleanup() {
      await e.stop();
      if (root !== undefined) await rm(root, { recursive: true, force: true });
    },
  };
  return e;
}
