/**
 * Dataset reader benchmark, the project's CSV reader (src/esco/csv.ts) side by side with
 * csv-parse's streaming parser (bench/csv-parse-reader.ts, swapped in for every import of csv.ts
 * by bench/use-csv-parse.ts), over the same reader code: discovery, zip streams, rows, zod
 * validation, de-duplication, dangling references, hashing. Datasets:
 *   - the official ESCO v1.1.1 zips (all 17 files), read as zips, as `init` reads them;
 *   - the same content unzipped into a temp folder (1x);
 *   - 10x records, same concepts: every relation file repeated 10 times (concept files once);
 *   - 10x everything: ten copies of every record, concept URIs renamed per copy (UUIDs stay
 *     UUIDs) so ids stay unique and every relation still resolves.
 * First, for each dataset, both parsers' records are hashed and must be equal. Then every
 * measurement runs in a fresh process with the bin's node flags (the first line of src/cli.ts),
 * so peak RSS belongs to that read alone; the two parsers' runs alternate, in turn first. Also
 * measured: each parser alone over the 1x folder (no validation, no handlers) and
 * `fingerprint()` (the warm-start check, no parsing). Temp folders are deleted.
 *
 * Run: npm run bench:read [-- --repeat N --data DIR]
 *   default 3 runs each; DIR holds the two v1.1.1 zips (default ../shared/esco/v1.1.1)
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readCsv } from '../src/esco/csv.ts';
import type { RecordHandlers } from '../src/esco/dataset.ts';
import { discover } from '../src/esco/discovery.ts';
import { openDataset } from '../src/esco/open.ts';
import { describeMachine } from './machine.ts';
import { officialZips, RELATION_FILE, synthesize } from './read-datasets.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI_FLAGS = (readFileSync(path.join(ROOT, 'src/cli.ts'), 'utf8').split('\n')[0] ?? '')
  .replace(/^#!\/usr\/bin\/env -S node/, '')
  .trim()
  .split(/\s+/)
  .filter(Boolean);
const PARSERS = {
  ours: [],
  'csv-parse': ['--import', path.join(ROOT, 'bench/use-csv-parse.ts')],
} as const;
type Parser = keyof typeof PARSERS;
type Mode = 'scan' | 'parse-only' | 'fingerprint' | 'digest';

interface Measurement {
  records: number;
  /** The read itself, in the child. */
  seconds: number;
  /** The child process from spawn to exit (start-up and module loading included). */
  wallSeconds: number;
  peakRssMiB: number;
  digest?: string;
}

const mib = (bytes: number): number => Math.round(bytes / 1024 / 1024);

/** Child mode: one read, then a JSON line with the figures. */
async function measure(mode: Mode, paths: string[]): Promise<Omit<Measurement, 'wallSeconds'>> {
  const dataset = await openDataset(paths, { language: 'en', policy: 'strict', maxRejected: 0 });
  let records = 0;
  let digest: string | undefined;
  const start = performance.now();
  if (mode === 'fingerprint') {
    await dataset.fingerprint();
  } else if (mode === 'scan' || mode === 'digest') {
    const hash = createHash('sha256');
    const handle =
      mode === 'scan'
        ? () => records++
        : (record: unknown, at: { line: number }) => {
            records++;
            hash.update(`${at.line}\t${JSON.stringify(record)}\n`);
          };
    const handlers: RecordHandlers = {};
    for (const f of dataset.files) (handlers as Record<string, typeof handle>)[f.kind] = handle;
    const report = await dataset.scan(handlers);
    records += report.danglingReferences.total;
    if (mode === 'digest') digest = hash.update(JSON.stringify(report)).digest('hex');
  } else {
    for (const file of (await discover(paths, 'en')).files) {
      for await (const _ of readCsv(await file.open(), () => {})) records++;
      records--; // the header
    }
  }
  const seconds = (performance.now() - start) / 1000;
  return { records, seconds, peakRssMiB: mib(process.resourceUsage().maxRSS * 1024), digest };
}

function runChild(parser: Parser, mode: Mode, paths: string[]): Measurement {
  const script = fileURLToPath(import.meta.url);
  const start = performance.now();
  const out = execFileSync(process.execPath, [...CLI_FLAGS, ...PARSERS[parser], script, '--child', mode, ...paths], {
    encoding: 'utf8',
  });
  const wallSeconds = (performance.now() - start) / 1000;
  return { ...(JSON.parse(out.trim().split('\n').at(-1) as string) as Measurement), wallSeconds };
}

interface Summary {
  records: number;
  seconds: number[];
  wallSeconds: number[];
  peakRssMiB: number[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const spread = (xs: number[], digits: number): string =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

function summarize(runs: Measurement[]): Summary {
  return {
    records: (runs[0] as Measurement).records,
    seconds: runs.map((r) => r.seconds),
    wallSeconds: runs.map((r) => r.wallSeconds),
    peakRssMiB: runs.map((r) => r.peakRssMiB),
  };
}

/** Both parsers `repeat` times, alternating which goes first. */
function sideBySide(mode: Mode, paths: string[], repeat: number): Record<Parser, Summary> {
  const runs: Record<Parser, Measurement[]> = { ours: [], 'csv-parse': [] };
  for (let i = 0; i < repeat; i++) {
    const order: Parser[] = i % 2 === 0 ? ['ours', 'csv-parse'] : ['csv-parse', 'ours'];
    for (const parser of order) runs[parser].push(runChild(parser, mode, paths));
  }
  return { ours: summarize(runs.ours), 'csv-parse': summarize(runs['csv-parse']) };
}

function sameRecords(label: string, paths: string[]): void {
  const [a, b] = (['ours', 'csv-parse'] as const).map((p) => runChild(p, 'digest', paths)) as [
    Measurement,
    Measurement,
  ];
  if (a.digest !== b.digest || a.records !== b.records) {
    throw new Error(`${label}: the parsers disagree (${a.records} records ${a.digest}, ${b.records} ${b.digest})`);
  }
  console.log(`${label}: both parsers hand over the same ${a.records.toLocaleString('en')} records (${a.digest})`);
}

function rows(label: string, s: Record<Parser, Summary>): string[] {
  const ratio = (key: 'seconds' | 'wallSeconds') => (median(s['csv-parse'][key]) / median(s.ours[key])).toFixed(2);
  return (['ours', 'csv-parse'] as const).map((p) =>
    [
      `| ${label}`,
      p,
      s[p].records.toLocaleString('en'),
      spread(s[p].seconds, 2),
      Math.round(s[p].records / median(s[p].seconds)).toLocaleString('en'),
      spread(s[p].wallSeconds, 2),
      spread(s[p].peakRssMiB, 0),
      p === 'csv-parse' ? `${ratio('seconds')}× / ${ratio('wallSeconds')}× |` : '|',
    ].join(' | '),
  );
}

async function main(dataDir: string, repeat: number): Promise<void> {
  const zips = officialZips(dataDir);
  if (!zips.every((z) => existsSync(z))) {
    console.error(`bench:read needs the ESCO v1.1.1 zips in ${dataDir} (--data DIR)`);
    process.exitCode = 2;
    return;
  }
  const dirs = ['1x', '10x-records', '10x-all'].map((n) => mkdtempSync(path.join(tmpdir(), `esco-bench-${n}-`)));
  const [one, tenRecords, tenAll] = dirs as [string, string, string];
  try {
    await synthesize(zips, one, () => 1, false);
    await synthesize(zips, tenRecords, (name) => (RELATION_FILE.test(name) ? 10 : 1), false);
    await synthesize(zips, tenAll, () => 10, true);
    const cases: [string, string[]][] = [
      ['v1.1.1 official zips', zips],
      ['1x folder (v1.1.1 unzipped)', [one]],
      ['10x relation rows, 1x concepts', [tenRecords]],
      ['10x everything (renamed copies)', [tenAll]],
    ];
    for (const [label, paths] of cases) sameRecords(label, paths);
    const load = loadavg()[0]?.toFixed(1);
    const results = cases.map(([label, paths]) => ({ label, s: sideBySide('scan', paths, repeat) }));
    const baseline = sideBySide('parse-only', [one], repeat);
    const fingerprints = cases.map(([label, paths]) => ({
      label,
      s: summarize([0, 1, 2].map(() => runChild('ours', 'fingerprint', paths))),
    }));
    console.log(
      `\nCPU ${describeMachine()}; Node ${process.version}, node flags "${CLI_FLAGS.join(' ')}" (as the bin); median (min–max) of ${repeat} fresh processes per parser, alternating; load average ${load} at the start, ${loadavg()[0]?.toFixed(1)} at the end\n`,
    );
    console.log(
      '| dataset | parser | records | read, s | records/s | process, s | peak RSS, MiB | csv-parse ÷ ours: read / process |',
    );
    console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of results) for (const line of rows(r.label, r.s)) console.log(line);
    for (const line of rows('parser alone, 1x folder', baseline)) console.log(line);
    console.log('\nfingerprint() (no parsing; the warm-start check), median of 3:');
    for (const f of fingerprints)
      console.log(`  ${f.label}: ${spread(f.s.seconds, 2)} s, peak RSS ${median(f.s.peakRssMiB)} MiB`);
    const [, one1, tenR, tenA] = results.map((r) => r.s.ours);
    const scale = (a: Summary, b: Summary) =>
      `records ${(a.records / b.records).toFixed(1)}x, time ${(median(a.seconds) / median(b.seconds)).toFixed(1)}x, peak RSS ${(median(a.peakRssMiB) / median(b.peakRssMiB)).toFixed(2)}x`;
    console.log(`\nours, 10x relation rows vs 1x folder: ${scale(tenR as Summary, one1 as Summary)}`);
    console.log(`ours, 10x everything vs 1x folder:    ${scale(tenA as Summary, one1 as Summary)}`);
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  const [, , , mode, ...paths] = process.argv;
  measure(mode as Mode, paths).then((m) => console.log(JSON.stringify(m)));
} else {
  const { values } = parseArgs({ options: { repeat: { type: 'string', default: '3' }, data: { type: 'string' } } });
  const dataDir = path.resolve(values.data ?? path.join(ROOT, '../shared/esco/v1.1.1'));
  await main(dataDir, Number(values.repeat));
}
