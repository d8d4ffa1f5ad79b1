import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The console's files as the server answers them: bytes, type and headers. */
export interface ConsoleAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

/** The console (`/console/…`), read once at start; the server answers from memory. */
export interface ConsoleAssets {
  /** The asset for a path under `/console/`, or null when there is none. */
  get(path: string): ConsoleAsset | null;
  /** False when the directory held no `index.html` (the browser part was not built). */
  readonly built: boolean;
}

/** Where `npm run build` puts the console: `dist/api/console/`, beside this module once compiled. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('./console/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

/**
 * Security headers of every console answer: scripts, styles and connections only from this server (the pages use
 * no inline script or style), never framed, no type sniffing.
 */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/**
 * Reads the console's files (html, css, js and their maps; nothing else, no subfolders) from `dir`. A missing
 * directory gives an empty, unbuilt console rather than an error: the server still receives alerts without it.
 */
export async function loadConsoleAssets(dir: string = DEFAULT_CONSOLE_DIR): Promise<ConsoleAssets> {
  const files = new Map<string, ConsoleAsset>();
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  for (const name of names) {
    const contentType = TYPES[extname(name)];
    if (contentType === undefined || (name.endsWith('.map') && !name.endsWith('.js.map'))) continue;
    files.set(name, { body: await readFile(join(dir, name)), contentType });
  }
  return {
    built: files.has('index.html'),
    get(path) {
      if (!path.startsWith('/console/')) return null;
      const name = path.slice('/console/'.length);
      return files.get(name === '' ? 'index.html' : name) ?? null;
    },
  };
}
