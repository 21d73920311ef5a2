/** Reading the Prometheus text format in tests. */

/** The value of `series` (e.g. `esco_runs_total{outcome="failed"}`), or undefined when absent. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** The sample lines of one metric (a histogram's `_bucket`, `_sum` and `_count` included). */
export function samples(text: string, metric: string): string[] {
  return text.split('\n').filter((line) => {
    const name = line.split(/[{ ]/)[0] ?? '';
    return !line.startsWith('#') && (name === metric || name.startsWith(`${metric}_`));
  });
}
