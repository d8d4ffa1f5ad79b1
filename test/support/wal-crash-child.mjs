// Child process for test/unit/log/wal-crash.test.ts: opens a WAL and appends from several concurrent appenders
// until it is killed, printing one line per acknowledged append. Plain JS so it runs on Node 20 without a TS loader;
// the test passes the path of the compiled wal.js.
//   argv: <path to wal.js> <wal dir> <round>
//   stdout: "open <recovery JSON>" once, then "ack <first offset> <round> <appender> <seq> <entries>" per append.
import { pathToFileURL } from 'node:url';
import { crashEntry } from './wal-crash-entry.mjs';

const [walModule, dir, roundArg] = process.argv.slice(2);
const round = Number(roundArg);
const { createWal } = await import(pathToFileURL(walModule).href);
// Small segments, so kills also land around segment rolls.
const log = createWal({ dir, segmentBytes: 256 * 1024 });
const recovery = await log.open();
// Pipes are written synchronously on Linux, so a line printed here survives the SIGKILL that follows it.
process.stdout.write(`open ${JSON.stringify(recovery)}\n`);

async function appender(w) {
  for (let seq = 0; ; seq++) {
    const count = 1 + (seq % 3);
    const entries = Array.from({ length: count }, (_, k) => Buffer.from(crashEntry(round, w, seq, k)));
    const first = await log.append(entries);
    process.stdout.write(`ack ${first} ${round} ${w} ${seq} ${count}\n`);
  }
}

await Promise.all(Array.from({ length: 16 }, (_, w) => appender(w)));
