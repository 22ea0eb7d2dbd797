/**
 * The labelled fallback when no transaction model can be fitted (too few customers, no repeat buyers,
 * no convergence): P(alive) halves every `halfLifeIntervals` typical purchase intervals without a
 * purchase, and an alive customer buys once per interval. The interval is the customer's own mean gap
 * between purchase days, else the median gap of the base's repeat buyers, else a configured default.
 */
export interface HeuristicSettings {
  halfLifeIntervals: number;
  defaultIntervalDays: number;
}

export interface HeuristicParams {
  halfLifeIntervals: number;
  populationIntervalDays: number;
}

export function heuristicParams(
  settings: HeuristicSettings,
  frequency: ArrayLike<number>,
  recencyDays: ArrayLike<number>,
): HeuristicParams {
  const gaps: number[] = [];
  for (let i = 0; i < frequency.length; i++) {
    if (frequency[i] > 0) gaps.push(recencyDays[i] / frequency[i]);
  }
  gaps.sort((a, b) => a - b);
  const median = gaps.length > 0 ? gaps[Math.floor(gaps.length / 2)] : undefined;
  return {
    halfLifeIntervals: settings.halfLifeIntervals,
    populationIntervalDays: median !== undefined && median > 0 ? median : settings.defaultIntervalDays,
  };
}

export function heuristicIntervalDays(params: HeuristicParams, x: number, recencyDays: number): number {
  return x > 0 && recencyDays > 0 ? recencyDays / x : params.populationIntervalDays;
}

export function heuristicPAlive(params: HeuristicParams, x: number, recencyDays: number, ageDays: number): number {
  const interval = heuristicIntervalDays(params, x, recencyDays);
  const daysSinceLast = ageDays - recencyDays;
  return Math.pow(0.5, daysSinceLast / (params.halfLifeIntervals * interval));
}
