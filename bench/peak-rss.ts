/**
 * Preloaded into the bin by the bench (`--import`): on exit, the process's peak RSS as the last
 * stderr line, since `init` (unlike `ingest --json`) reports no figures of its own. Writes to a
 * pipe are synchronous on Linux, so the line is out before the process is.
 */
process.on('exit', () => {
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stderr.write(`${JSON.stringify({ benchPeakRssMb: peakRssMb })}\n`);
});
