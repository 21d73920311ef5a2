/**
 * The generation rules, pure: which generation a run builds (a new one, or the unfinished one of
 * the same dataset), what is dropped when, and what `rollback` returns to.
 */
import type { DatasetStatus, GenerationRecord } from '../status/status-store.ts';
import type { Published } from './generation-store.ts';

export interface TargetInput {
  status: DatasetStatus | null;
  /** Generations that have collections in Weaviate. */
  existing: readonly number[];
  fingerprint: string;
  schemaVersion: string;
  force: boolean;
  /** The holder's lease epoch: the id of a new generation. */
  epoch: number;
}

export interface Target {
  generation: number;
  /** Builds on what an earlier run wrote into this generation (resumable passes are kept). */
  resumes: boolean;
  why: string;
}

/**
 * The generation an earlier run of this dataset left unfinished (it crashed or failed) is resumed;
 * otherwise a new generation is built, named after the holder's epoch. (An interrupted switch is
 * not built again: the decision finishes it, src/orchestration/decision.ts.)
 */
export function chooseTarget(input: TargetInput): Target {
  const { status, existing, fingerprint, schemaVersion, force } = input;
  const same = (g: { fingerprint: string | null; schemaVersion: string | null }) =>
    g.fingerprint === fingerprint && g.schemaVersion === schemaVersion;
  const unfinished = status?.resume?.generation ?? null;
  if (
    !force &&
    unfinished !== null &&
    unfinished !== status?.generation &&
    existing.includes(unfinished) &&
    status?.resume &&
    same(status.resume)
  ) {
    return { generation: unfinished, resumes: true, why: `resuming generation ${unfinished} of this dataset` };
  }
  return { generation: input.epoch, resumes: false, why: `building generation ${input.epoch}` };
}

/**
 * Generations to drop: every one but the published generation, the one being built and the `keep`
 * newest complete ones before the published (rollback targets). Orphans of crashed runs and
 * generations of other datasets go first, before a build, so that disk holds at most keep + 2.
 */
export function generationsToDrop(input: {
  status: DatasetStatus | null;
  existing: readonly number[];
  keep: number;
  building?: number;
  /** What the aliases point at, whatever the status record says (it may have been lost). */
  aliased?: Published;
}): number[] {
  const kept = new Set(keptGenerations(input.status, input.keep));
  if (input.building !== undefined) kept.add(input.building);
  if (input.aliased?.state === 'generation') kept.add(input.aliased.generation);
  return input.existing.filter((g) => !kept.has(g));
}

/** The published generation and the `keep` newest complete ones other than it. */
export function keptGenerations(status: DatasetStatus | null, keep: number): number[] {
  if (!status) return [];
  const published = status.generation;
  const previous = completeGenerations(status)
    .filter((g) => g.id !== published)
    .sort((a, b) => b.id - a.id)
    .slice(0, keep)
    .map((g) => g.id);
  return published === null ? previous : [published, ...previous];
}

export function completeGenerations(status: DatasetStatus): GenerationRecord[] {
  return status.generations.filter((g) => g.completedAt !== null);
}

/** The newest complete generation other than the published one that still exists, or why there is none. */
export function rollbackTarget(
  status: DatasetStatus | null,
  existing: readonly number[],
): { generation: GenerationRecord } | { none: string } {
  if (!status || status.generation === null) return { none: 'nothing is published yet' };
  const candidates = completeGenerations(status)
    .filter((g) => g.id !== status.generation && existing.includes(g.id))
    .sort((a, b) => b.id - a.id);
  const [newest] = candidates;
  if (!newest) {
    return {
      none: `generation ${status.generation} is published and no earlier complete generation is kept (generations.keep)`,
    };
  }
  return { generation: newest };
}

/** The status's generation list with `record` added or replaced, limited to those that exist. */
export function withGeneration(
  generations: readonly GenerationRecord[],
  record: GenerationRecord | null,
  existing: readonly number[],
): GenerationRecord[] {
  const others = generations.filter((g) => g.id !== record?.id && existing.includes(g.id));
  return [...others, ...(record ? [record] : [])].sort((a, b) => a.id - b.id);
}
