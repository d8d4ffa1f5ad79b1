/**
 * Prometheus 2.42's `extrapolatedRate` (promql/functions.go) for `rate()` over one counter series, as a pure function
 * of what a window's samples boil down to. It is written step by step like the Go code, in the same order of
 * floating-point operations, because the SLO oracle compares burn rates to 1e-9 and a ratio of two nearly equal
 * rates amplifies any difference in rounding.
 *
 * The window is `[rangeStartMs, rangeEndMs]`, both ends inclusive (2.x; 3.x excludes the start).
 *
 * @param rangeStartMs evaluation time minus the range
 * @param rangeEndMs the evaluation time
 * @param firstMs timestamp of the first sample inside the window
 * @param lastMs timestamp of the last sample inside the window
 * @param samples how many samples lie inside the window
 * @param firstValue the raw counter value of the first sample, as scraped (needed for the zero clamp)
 * @param increase last minus first plus every pre-reset value in between (Go's `resultValue` before extrapolation)
 * @returns the per-second rate, or null when the window holds fewer than two samples (Prometheus drops the element)
 */
export function extrapolatedRate(
  rangeStartMs: number,
  rangeEndMs: number,
  firstMs: number,
  lastMs: number,
  samples: number,
  firstValue: number,
  increase: number,
): number | null {
  if (samples < 2) return null;
  let resultValue = increase;
  // Go divides the integer millisecond differences by 1000, which is what these lines do on integral instants.
  let durationToStart = (firstMs - rangeStartMs) / 1000;
  const durationToEnd = (rangeEndMs - lastMs) / 1000;
  const sampledInterval = (lastMs - firstMs) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (samples - 1);

  if (resultValue > 0 && firstValue >= 0) {
    // A counter cannot go below zero: extrapolating further back than its zero point would invent events.
    const durationToZero = sampledInterval * (firstValue / resultValue);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }

  // Extrapolate to a window edge only when another sample would be expected there, allowing 10 % of jitter;
  // across a longer gap assume half an average interval.
  const extrapolationThreshold = averageDurationBetweenSamples * 1.1;
  let extrapolateToInterval = sampledInterval;
  if (durationToStart < extrapolationThreshold) extrapolateToInterval += durationToStart;
  else extrapolateToInterval += averageDurationBetweenSamples / 2;
  if (durationToEnd < extrapolationThreshold) extrapolateToInterval += durationToEnd;
  else extrapolateToInterval += averageDurationBetweenSamples / 2;

  resultValue = resultValue * (extrapolateToInterval / sampledInterval);
  return resultValue / ((rangeEndMs - rangeStartMs) / 1000);
}

/**
 * `(rate(total) - rate(good)) / rate(total)`, the error ratio of the oracle's recording rules; NaN when either rate has
 * no value or when there were no events (0/0), which callers write as null.
 */
export function errorRatioOf(goodRate: number | null, totalRate: number | null): number {
  if (goodRate === null || totalRate === null) return Number.NaN;
  return (totalRate - goodRate) / totalRate;
}
