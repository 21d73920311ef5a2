/**
 * The bench's report: the targets checked against the figures measured in the same run, and the
 * markdown table `npm run bench` prints (bench/ingest.ts).
 */
import type { ScenarioName, ScenarioResult } from './scenarios.ts';

export interface Target {
  name: string;
  measured: string;
  target: string;
  met: boolean;
}

type Check = (name: string, measured: string, target: string, met: boolean) => void;

export function targets(results: ScenarioResult[]): Target[] {
  const by = (n: ScenarioName) => results.find((r) => r.scenario === n);
  const checks: Target[] = [];
  const check: Check = (name, measured, target, met) => checks.push({ name, measured, target, met });
  const cold = by('cold');
  const versus = (n: ScenarioName, name: string) => {
    const other = by(n);
    if (!other || !cold) return;
    const ratio = other.ms / cold.ms;
    check(name, `${ratio.toFixed(2)}×`, '≥ 0.85×', ratio >= 0.85);
  };
  versus('ceiling', 'cold init (vectorizer none) throughput vs ceiling');
  versus('ceiling-insertmany', 'cold init (vectorizer none) throughput vs ceiling-insertmany');
  vectorTargets(by, check);
  const ltw = by('lookup-then-write');
  if (ltw && cold)
    check('cold vs lookup-then-write', `${(ltw.ms / cold.ms).toFixed(1)}× faster`, '≥ 20×', ltw.ms / cold.ms >= 20);
  for (const name of ['restart', 'restart-vectors'] as const) {
    const r = by(name);
    if (r) check(`${name} (warm container restart)`, `${(r.ms / 1000).toFixed(2)} s`, '< 1 s', r.ms < 1000);
  }
  for (const r of results.filter((r) => r.peakRssMb !== undefined))
    check(`${r.scenario} peak RSS`, `${r.peakRssMb} MB`, '≤ 250 MB', (r.peakRssMb ?? 0) <= 250);
  return checks;
}

/** The vector path: against the service's own ceiling, one call per new text, none when unchanged. */
function vectorTargets(by: (n: ScenarioName) => ScenarioResult | undefined, check: Check): void {
  const cold = by('cold-vectors');
  const ceiling = by('vectorize-ceiling');
  if (cold && ceiling) {
    const ratio = ceiling.ms / cold.ms;
    check('cold-vectors throughput vs vectorize-ceiling', `${ratio.toFixed(2)}×`, '≥ 0.8×', ratio >= 0.8);
  }
  if (cold?.calls !== undefined && cold.vectorized) {
    const perObject = cold.calls / cold.vectorized;
    check('cold-vectors inference calls per vectorized object', perObject.toFixed(3), '1.000', perObject === 1);
  }
  const restart = by('restart-vectors');
  if (restart?.calls !== undefined)
    check('restart-vectors inference calls', String(restart.calls), '0', restart.calls === 0);
  const upgrade = by('upgrade-vectors');
  if (upgrade?.calls !== undefined && upgrade.expectedCalls !== undefined) {
    const { calls, expectedCalls } = upgrade;
    const name = 'upgrade-vectors inference calls (= revised + added concepts)';
    check(name, String(calls), String(expectedCalls), calls === expectedCalls);
  }
}

export function renderTable(results: ScenarioResult[], checks: Target[], header: string): string {
  const rows = results.map((r) =>
    [
      r.scenario,
      (r.ms / 1000).toFixed(1),
      Math.round(r.objects / (r.ms / 1000)).toLocaleString('en'),
      String(r.writes),
      String(r.deleted),
      r.peakRssMb === undefined ? '' : String(r.peakRssMb),
      r.calls === undefined ? '' : String(r.calls),
      r.dataDirMb === undefined ? '' : String(r.dataDirMb),
      r.note,
    ].join(' | '),
  );
  const checkRows = checks.map((c) => `| ${c.name} | ${c.measured} | ${c.target} | ${c.met ? 'met' : 'NOT met'} |`);
  return [
    header,
    '',
    '| scenario | time (s) | objects/s | objects written | deleted | peak RSS (MB) | inference calls | data dir (MB) | notes |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map((r) => `| ${r} |`),
    '',
    '| target | measured | wanted | |',
    '| --- | --- | --- | --- |',
    ...checkRows,
  ].join('\n');
}
