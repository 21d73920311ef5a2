/**
 * The machine a figure was measured on: CPU model, the vector instruction sets that decide how
 * fast (and, for int8, how exactly) inference runs, cores and memory. Every bench and the eval
 * print it beside their numbers, so that a number always says where it came from. The sets are
 * the ones inference/runtime.py reports in the inference service's /meta.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

const VECTOR_SETS = [
  'sse4_2',
  'avx',
  'avx2',
  'fma',
  'avx512f',
  'avx512bw',
  'avx512vl',
  'avx512_vnni',
  'avx_vnni',
  'avx512_bf16',
  'amx_int8',
  'asimd',
  'asimddp',
  'i8mm',
  'sve',
  'sve2',
];

/** Node's names for the architectures, as Python's platform.machine() (and /meta) says them. */
const ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };

export interface Machine {
  cpu: string;
  arch: string;
  /** Of VECTOR_SETS, those /proc/cpuinfo lists (x86 `flags`, arm `Features`). */
  vector: string[];
  cpus: number;
  memGb: number;
}

export function machine(cpuinfo = readCpuinfo()): Machine {
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(cpuinfo)?.[1]?.trim();
  const flags = new Set((field('flags') ?? field('Features') ?? '').split(/\s+/));
  return {
    cpu: field('model name') ?? os.cpus()[0]?.model ?? 'unknown CPU',
    arch: ARCH[os.arch()] ?? os.arch(),
    vector: VECTOR_SETS.filter((set) => flags.has(set)),
    cpus: os.availableParallelism(),
    memGb: Math.round(os.totalmem() / 2 ** 30),
  };
}

/** e.g. "2× AMD EPYC (x86_64; sse4_2 avx avx2 fma), 23 GiB" */
export function describeMachine(m: Machine = machine()): string {
  const sets = m.vector.length ? m.vector.join(' ') : 'no vector sets listed';
  return `${m.cpus}× ${m.cpu} (${m.arch}; ${sets}), ${m.memGb} GiB`;
}

/** Linux's; elsewhere the model comes from os.cpus() and no sets are listed. */
function readCpuinfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
}
