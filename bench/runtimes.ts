/**
 * `npm run bench:runtimes`: the model runtimes side by side on the texts Weaviate's module sends
 * for ESCO v1.1.1 (a spread sample): this service's ONNX Runtime int8 and fp32 encoders, and
 * sentence-transformers on torch when a Python with it is given. Speed (texts/s on this machine's
 * cores), load time and peak RSS, each runtime in a process of its own (inference/compare.py), and
 * how close int8's vectors stay to fp32's on the same texts.
 *
 *   scripts/node.sh node bench/runtimes.ts [--data <path>]... [--sample 3000]
 *     [--torch-python /path/to/python --st-model /path/to/all-MiniLM-L6-v2]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { inferenceHome } from '../scripts/local/inference.ts';
import { describeMachine } from './machine.ts';
import { vectorizerTexts } from './vectorize.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    data: { type: 'string', multiple: true },
    sample: { type: 'string', default: '3000' },
    'torch-python': { type: 'string' },
    'st-model': { type: 'string' },
  },
});

interface Measured {
  runtime: string;
  texts: number;
  seconds: number;
  textsPerSecond: number;
  loadSeconds: number;
  peakRssMb: number;
}

const data = (args.data ?? [path.join(ROOT, '../shared/esco/v1.1.1')]).map((p) => path.resolve(p));
const home = inferenceHome();
const scratch = mkdtempSync(path.join(tmpdir(), 'esco-init-runtimes-'));
try {
  const texts = await vectorizerTexts(data);
  const file = path.join(scratch, 'texts.json');
  writeFileSync(file, JSON.stringify(texts));
  const common = ['--texts', file, '--sample', String(args.sample)];
  const runs: [string, string[]][] = [
    [path.join(home, 'venv/bin/python'), ['--runtime', 'int8', '--model-dir', path.join(home, 'model')]],
    [path.join(home, 'venv/bin/python'), ['--runtime', 'fp32', '--model-dir', path.join(home, 'model')]],
  ];
  if (args['torch-python'] && args['st-model'])
    runs.push([args['torch-python'], ['--runtime', 'torch', '--st-model', args['st-model']]]);
  const results: Measured[] = [];
  for (const [python, runtime] of runs) {
    console.error(`runtimes: ${runtime[1]} on ${args.sample} of ${texts.length} texts…`);
    const save = ['--save', path.join(scratch, `${runtime[1]}.npy`)];
    const run = await execa(python, [path.join(ROOT, 'inference/compare.py'), ...runtime, ...common, ...save], {
      stderr: 'inherit',
    });
    results.push(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as Measured);
  }
  console.log(
    `${texts.length} texts as Weaviate's module builds them for ESCO v1.1.1; a spread sample of ${args.sample}, batches of 32 grouped by length; CPU ${describeMachine()}\n`,
  );
  console.log('| runtime | texts/s | whole dataset at that rate | load | peak RSS |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const whole = `${Math.round(texts.length / r.textsPerSecond)} s`;
    console.log(`| ${r.runtime} | ${r.textsPerSecond} | ${whole} | ${r.loadSeconds} s | ${r.peakRssMb} MB |`);
  }
  const cosine = await execa(path.join(home, 'venv/bin/python'), [
    ...[path.join(ROOT, 'inference/compare.py'), '--cosine'],
    ...['int8', 'fp32'].map((r) => path.join(scratch, `${r}.npy`)),
  ]);
  const c = JSON.parse(cosine.stdout) as { least: number; p1: number; mean: number };
  console.log(`\nint8 against fp32, the same texts: cosine least ${c.least}, 1st percentile ${c.p1}, mean ${c.mean}`);
  if (runs.length < 3)
    console.log('\n(torch: pass --torch-python and --st-model to measure sentence-transformers itself)');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
