import { signed, type CanaryVerdict, type MetricComparison, type ScenarioComparison } from './canary.js';
import { fixed } from './report.js';
import type { MetricName } from './score.js';

/** What the canary report shows besides the verdict: where the scores came from. */
export interface CanaryReportInput {
  readonly verdict: CanaryVerdict;
  /** The corpus directory as given. */
  readonly corpusDir: string;
  /** The candidate and the live pipeline as a reader knows them: file and pipeline name. */
  readonly candidate: string;
  readonly live: string;
}

const LABELS: Record<MetricName, string> = {
  pairwisePrecision: 'pairwise P',
  pairwiseRecall: 'pairwise R',
  pairwiseF1: 'pairwise F1',
  ari: 'ARI',
  compressionRatio: 'compression ratio (best at 1)',
  ticketLinkAccuracy: 'ticket links',
  deployPrecision: 'deploy P',
  deployRecall: 'deploy R',
  rootCauseTop1: 'root cause top-1',
};

/**
 * Renders the verdict as Markdown: the corpus metrics side by side (live, candidate, delta, verdict), the scenario
 * metrics per scenario, then the scenarios broken and improved. Figures are cut to 3 decimals as in `eval`'s report,
 * so a figure never shows better, nor a drop smaller, than it is.
 */
export function renderCanaryReport(r: CanaryReportInput): string {
  const v = r.verdict;
  const lines = [
    `# stormcell canary: ${r.corpusDir}`,
    '',
    `- candidate: ${r.candidate}`,
    `- live: ${r.live}`,
    `- tolerance: ${v.tolerance} absolute per metric; every metric is better higher except the compression ratio, best at 1`,
    '',
    v.accepted
      ? `**Accepted**: no metric worse by more than ${v.tolerance}, no bar of thresholds.yaml newly missed, no scenario broken.`
      : `**Refused**: ${summary(v)}.`,
    '',
    `## Corpus (${v.scenarios.length} scenarios, micro-averaged)`,
    '',
    '| metric | live | candidate | delta | verdict |',
    '| --- | ---: | ---: | ---: | --- |',
    ...v.corpus.map((c) => `| ${LABELS[c.metric]} | ${fixed(c.live)} | ${fixed(c.candidate)} | ${signed(c.delta)} | ${c.verdict} |`),
    '',
  ];
  if (v.corpusReasons.length > 0) lines.push(...v.corpusReasons.map((reason) => `- ${reason}`), '');

  lines.push(
    '## Scenarios',
    '',
    `| scenario | ${v.scenarioMetrics.map((m) => `${LABELS[m]} live | candidate | delta`).join(' | ')} | status |`,
    `| --- |${v.scenarioMetrics.map(() => ' ---: | ---: | ---: |').join('')} --- |`,
    ...v.scenarios.map((s) => `| ${s.name} | ${s.metrics.map(cells).join(' | ')} | ${s.status} |`),
    '',
  );
  lines.push(...scenarioList('Broken', v.scenarios.filter((s) => s.status === 'broken')));
  lines.push(...scenarioList('Improved', v.scenarios.filter((s) => s.status === 'improved')));
  return lines.join('\n');
}

function cells(c: MetricComparison): string {
  return `${fixed(c.live)} | ${fixed(c.candidate)} | ${signed(c.delta)}`;
}

function scenarioList(title: string, scenarios: readonly ScenarioComparison[]): string[] {
  if (scenarios.length === 0) return [`${title}: none.`, ''];
  return [`${title} (${scenarios.length}):`, '', ...scenarios.flatMap((s) => s.reasons.map((reason) => `- ${s.name}: ${reason}`)), ''];
}

/** `9 scenarios broken, 2 corpus metrics worse by more than 0.01, 1 corpus bar newly missed`. */
function summary(v: CanaryVerdict): string {
  const worse = v.corpus.filter((c) => c.verdict === 'worse').length;
  const bars = v.corpusBarsMissed.length;
  const broken = v.scenarios.filter((s) => s.status === 'broken').length;
  const parts = [
    broken > 0 ? `${broken} scenario${broken === 1 ? '' : 's'} broken` : '',
    worse > 0 ? `${worse} corpus metric${worse === 1 ? '' : 's'} worse by more than ${v.tolerance}` : '',
    bars > 0 ? `${bars} corpus bar${bars === 1 ? '' : 's'} newly missed` : '',
  ];
  return parts.filter((p) => p !== '').join(', ');
}

/** How many refusal reasons {@link refusalLine} spells out before it counts the rest. */
const REASONS_IN_LINE = 2;

/**
 * The verdict in one line for stderr: `refused (13 scenarios broken): <reason>; <reason>; and 20 more (see the
 * report)`, or `accepted`. Never holds a newline.
 */
export function refusalLine(v: CanaryVerdict): string {
  if (v.accepted) return 'accepted';
  const shown = v.reasons.slice(0, REASONS_IN_LINE).join('; ');
  const more = v.reasons.length - REASONS_IN_LINE;
  return `refused (${summary(v)}): ${shown}${more > 0 ? `; and ${more} more (see the report)` : ''}`;
}
