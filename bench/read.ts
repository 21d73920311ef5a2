/**
 * Dataset reader benchmark: records/s and peak RSS for
 *   - the official ESCO v1.1.1 zips (all 17 files), read as zips;
 *   - the same content unzipped into a temp folder (1x);
 *   - 10x records, same concepts: every relation file repeated 10 times (concept files once);
 *   - 10x everything: ten copies of every record, concept URIs renamed per copy (UUIDs stay
 *     UUIDs) so ids stay unique and every relation still resolves;
 * against a baseline measured in the same run: the CSV reader alone over the 1x folder (no validation,
 * no handlers). Also times `fingerprint()` (the warm-start check). Each measurement runs in a
 * fresh child process so peak RSS belongs to that read alone. Temp folders are deleted.
 *
 * Run: npm run bench:read [-- --repeat N]   (default 3 runs each; needs ../shared/esco/v1.1.1 next to the repo)
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { readCsv } from '../src/esco/csv.ts';
import type { RecordHandlers } from '../src/esco/dataset.ts';
import { discover } from '../src/esco/discovery.ts';
import { openDataset } from '../src/esco/open.ts';
import { listZip, openZipEntry } from '../src/esco/zip.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIR = path.resolve(ROOT, '../shared/esco/v1.1.1');
const ZIPS = [
  path.join(DIR, 'ESCO dataset - v1.1.1 - classification - en - csv.zip'),
  path.join(DIR, 'ESCO dataset - v1.1.1 - classification -  - csv.zip'),
];
const RELATION_FILE = /Relations|broader/;

type Mode = 'scan' | 'parse-only' | 'fingerprint';

interface Measurement {
  records: number;
  seconds: number;
  startRssMiB: number;
  peakRssMiB: number;
  peakHeapMiB: number;
}

const mib = (bytes: number): number => Math.round(bytes / 1024 / 1024);

/** Child mode: one read, then a JSON line with the figures. */
async function measure(mode: Mode, paths: string[]): Promise<Measurement> {
  const startRssMiB = mib(process.memoryUsage().rss);
  let peakHeap = 0;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 25);
  const dataset = await openDataset(paths, { language: 'en', policy: 'strict', maxRejected: 0 });
  let records = 0;
  const count = () => {
    records++;
  };
  const start = performance.now();
  if (mode === 'fingerprint') {
    await dataset.fingerprint();
  } else if (mode === 'scan') {
    const handlers: RecordHandlers = {};
    for (const f of dataset.files) (handlers as Record<string, () => void>)[f.kind] = count;
    const report = await dataset.scan(handlers);
    records += report.danglingReferences.total;
  } else {
    for (const file of (await discover(paths, 'en')).files) {
      for await (const _ of readCsv(await file.open(), () => {})) records++;
      records--; // the header
    }
  }
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  const peakRssMiB = mib(process.resourceUsage().maxRSS * 1024);
  return { records, seconds, startRssMiB, peakRssMiB, peakHeapMiB: mib(peakHeap) };
}

function runChild(mode: Mode, paths: string[]): Measurement {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', mode, ...paths], {
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1) as string) as Measurement;
}

/**
 * Copy `copy` of a file: the header only in copy 0; with `rename`, concept URIs made unique per
 * copy (UUID URIs: first group XOR copy; others: a `-x<copy>` suffix). Works on whole lines, and
 * no URI spans a line.
 */
class CopyTransform extends Transform {
  private rest = '';
  private skipHeader: boolean;
  private readonly copy: number;
  private readonly rename: boolean;
  constructor(copy: number, rename: boolean) {
    super();
    this.copy = copy;
    this.rename = rename && copy > 0;
    this.skipHeader = copy > 0;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const text = this.rest + chunk.toString('utf8');
    const cut = text.lastIndexOf('\n') + 1;
    this.rest = text.slice(cut);
    done(null, this.convert(text.slice(0, cut)));
  }
  override _flush(done: TransformCallback): void {
    done(null, this.convert(this.rest));
  }
  private convert(text: string): string {
    let out = text;
    if (this.skipHeader && out.length > 0) {
      out = out.slice(out.indexOf('\n') + 1);
      this.skipHeader = false;
    }
    if (!this.rename) return out;
    return out.replace(
      /(http:\/\/data\.europa\.eu\/esco\/(?:skill|occupation|isco|isced-f|concept-scheme)\/)([^\s",|]+)/g,
      (_, prefix: string, id: string) => {
        const uuid = /^([0-9a-f]{8})(-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(id);
        if (!uuid) return `${prefix}${id}-x${this.copy}`;
        const first = (Number.parseInt(uuid[1] as string, 16) ^ this.copy) >>> 0;
        return `${prefix}${first.toString(16).padStart(8, '0')}${uuid[2]}`;
      },
    );
  }
}

/** Streams the v1.1.1 files into `dir`, each repeated `copies(name)` times. */
async function synthesize(dir: string, copies: (name: string) => number, rename: boolean): Promise<void> {
  for (const zip of ZIPS) {
    for (const member of await listZip(zip)) {
      const n = copies(member.entryName);
      async function* allCopies(): AsyncGenerator<Buffer | string> {
        for (let copy = 0; copy < n; copy++) {
          yield* (await openZipEntry(zip, member.entryName)).pipe(new CopyTransform(copy, rename));
        }
      }
      await pipeline(Readable.from(allCopies()), createWriteStream(path.join(dir, member.entryName)));
    }
  }
}

/** Runs a measurement `repeat` times (fresh processes) and keeps the median run and the RSS range. */
function repeated(mode: Mode, paths: string[], repeat: number): Measurement & { rssRange: string } {
  const runs = Array.from({ length: repeat }, () => runChild(mode, paths));
  const median = <T>(xs: T[], by: (x: T) => number): T =>
    [...xs].sort((a, b) => by(a) - by(b))[Math.floor(xs.length / 2)] as T;
  const rss = runs.map((r) => r.peakRssMiB);
  return {
    ...median(runs, (r) => r.seconds),
    peakRssMiB: median(rss, (x) => x),
    rssRange: repeat > 1 ? `${Math.min(...rss)}-${Math.max(...rss)}` : String(rss[0]),
  };
}

type Result = ReturnType<typeof repeated>;

function row(label: string, scan: Result, fp: Result | null, baseline: Result): string {
  const rate = Math.round(scan.records / scan.seconds).toLocaleString('en');
  const perRecord = scan.seconds / scan.records / (baseline.seconds / baseline.records);
  return [
    label.padEnd(40),
    `${scan.records.toLocaleString('en').padStart(10)} rec`,
    `${scan.seconds.toFixed(2).padStart(6)} s`,
    `${rate.padStart(8)} rec/s`,
    `${perRecord.toFixed(2)}x base`,
    `peak RSS ${String(scan.peakRssMiB).padStart(4)} MiB (runs ${scan.rssRange}; start ${scan.startRssMiB}, peak heap ${scan.peakHeapMiB})`,
    fp ? `| fingerprint() ${fp.seconds.toFixed(2)} s, peak RSS ${fp.peakRssMiB} MiB` : '',
  ].join('  ');
}

async function main(repeat: number): Promise<void> {
  if (!ZIPS.every((z) => existsSync(z))) {
    console.error(`bench:read needs the ESCO v1.1.1 zips in ${DIR}`);
    process.exitCode = 2;
    return;
  }
  const dirs = ['1x', '10x-records', '10x-all'].map((n) => mkdtempSync(path.join(tmpdir(), `esco-bench-${n}-`)));
  const [one, tenRecords, tenAll] = dirs as [string, string, string];
  try {
    await synthesize(one, () => 1, false);
    await synthesize(tenRecords, (name) => (RELATION_FILE.test(name) ? 10 : 1), false);
    await synthesize(tenAll, () => 10, true);
    const baseline = repeated('parse-only', [one], repeat);
    const cases: [string, string[]][] = [
      ['reader: v1.1.1 official zips', ZIPS],
      ['reader: 1x folder (v1.1.1 unzipped)', [one]],
      ['reader: 10x relation rows, 1x concepts', [tenRecords]],
      ['reader: 10x everything (renamed copies)', [tenAll]],
    ];
    const results = cases.map(([label, paths]) => ({
      label,
      scan: repeated('scan', paths, repeat),
      fp: repeated('fingerprint', paths, repeat),
    }));
    console.log(
      `Node ${process.version}; median of ${repeat} fresh processes each; base = the CSV reader alone (time per record)`,
    );
    console.log(row('baseline: CSV reader only, 1x folder', baseline, null, baseline));
    for (const r of results) console.log(row(r.label, r.scan, r.fp, baseline));
    const [, one1, tenR, tenA] = results.map((r) => r.scan) as [Result, Result, Result, Result];
    const ratio = (a: Result, b: Result) =>
      `records ${(a.records / b.records).toFixed(1)}x, time ${(a.seconds / b.seconds).toFixed(1)}x, peak RSS ${(a.peakRssMiB / b.peakRssMiB).toFixed(2)}x`;
    console.log(`10x relation rows vs 1x folder: ${ratio(tenR, one1)}`);
    console.log(`10x everything vs 1x folder:    ${ratio(tenA, one1)}`);
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

const [, , flag, mode, ...rest] = process.argv;
if (flag === '--child') {
  measure(mode as Mode, rest).then((m) => console.log(JSON.stringify(m)));
} else {
  // `npm run bench:read -- --repeat 5`: more runs, steadier medians on a busy machine.
  await main(flag === '--repeat' ? Number(mode) : 3);
}
