import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { gatePipeline, PROCESS_IO, refusalLine, type EvalIo } from '../eval/index.js';

/** The usage line of `stormcell canary`, for the CLI's help. */
export const CANARY_USAGE = 'stormcell canary --candidate FILE [--live FILE] --corpus DIR [--tolerance 0.01] [--out FILE]';

/**
 * `stormcell canary`: scores the candidate pipeline and the live one (`--live`, default each scenario's own) on the
 * corpus and prints the Markdown report (or writes it to `--out`). Returns 0 when the candidate is accepted, 1 when
 * it is refused, with the reasons in one line on stderr. Bad arguments and unusable input throw
 * ConfigError/InputError, which the CLI turns into exit 2 with one line.
 */
export async function canaryCommand(args: string[], io: EvalIo = PROCESS_IO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        candidate: { type: 'string' },
        live: { type: 'string' },
        corpus: { type: 'string' },
        tolerance: { type: 'string' },
        out: { type: 'string' },
      },
      allowPositionals: false,
      strict: true,
    });
  } catch (err) {
    throw new ConfigError(`canary: ${(err as Error).message}; usage: ${CANARY_USAGE}`, { cause: err });
  }
  const { values } = parsed;
  if (values.candidate === undefined) throw new ConfigError(`canary needs --candidate FILE; usage: ${CANARY_USAGE}`);
  if (values.corpus === undefined) throw new ConfigError(`canary needs --corpus DIR; usage: ${CANARY_USAGE}`);
  const result = await gatePipeline({
    candidateFile: values.candidate,
    ...(values.live === undefined ? {} : { liveFile: values.live }),
    corpusDir: values.corpus,
    ...(values.tolerance === undefined ? {} : { tolerance: parseTolerance(values.tolerance) }),
    onRejected: (scenario, count, first) =>
      io.stderr(`canary: ${scenario}: ${count} request(s) refused as the server would refuse them, skipped; first: ${first}\n`),
  });
  if (values.out === undefined) io.stdout(result.report);
  else {
    try {
      await io.writeFile(values.out, result.report);
    } catch (err) {
      throw new ConfigError(`--out ${values.out}: cannot write: ${(err as Error).message}`, { cause: err });
    }
  }
  if (!result.accepted) io.stderr(`canary: ${refusalLine(result.verdict)}\n`);
  return result.accepted ? 0 : 1;
}

function parseTolerance(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new ConfigError(`--tolerance: expected a number from 0 to 1, got ${JSON.stringify(raw)}`);
  return n;
}
