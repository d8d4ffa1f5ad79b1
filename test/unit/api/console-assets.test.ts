import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConsoleAssets } from '../../../src/api/index.js';

let dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  dirs = [];
});

describe('loadConsoleAssets', () => {
  it('serves the page at /console/ and its scripts, styles and script maps beside it, nothing else', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stormcell-console-'));
    dirs.push(dir);
    for (const [name, text] of Object.entries({ 'index.html': '<!doctype html>', 'main.js': 'export {}', 'main.js.map': '{}', 'console.css': 'body{}', 'main.ts': 'x', 'data.map': 'y', 'notes.txt': 'z' })) {
      await writeFile(join(dir, name), text);
    }
    const assets = await loadConsoleAssets(dir);
    expect(assets.built).toBe(true);
    expect(assets.get('/console/')).toEqual({ body: Buffer.from('<!doctype html>'), contentType: 'text/html; charset=utf-8' });
    expect(assets.get('/console/main.js')?.contentType).toBe('text/javascript; charset=utf-8');
    expect(assets.get('/console/main.js.map')?.contentType).toBe('application/json');
    expect(assets.get('/console/console.css')?.contentType).toBe('text/css; charset=utf-8');
    for (const path of ['/console/main.ts', '/console/data.map', '/console/notes.txt', '/console/../package.json', '/main.js']) expect(assets.get(path)).toBeNull();
  });

  it('is empty and unbuilt when the directory does not exist', async () => {
    const assets = await loadConsoleAssets(join(tmpdir(), 'stormcell-no-such-console-dir'));
    expect(assets.built).toBe(false);
    expect(assets.get('/console/')).toBeNull();
  });
});
