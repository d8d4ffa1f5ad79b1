import { writeSync } from 'node:fs';

/**
 * Preloaded with `node --import` into a process the benchmark does not own (the stormcell CLI): at exit it writes
 * the process's peak RSS to stderr as one JSON line, which a parent cannot read from /proc once the child is gone.
 */
process.on('exit', () => {
  writeSync(2, JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024 }) + '\n');
});
