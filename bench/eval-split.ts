/**
 * The held-out split of `npm run eval`: a seeded random fraction of the alternative labels of
 * occupations and of skills, taken out of the indexed data and used as queries for the concept
 * they were taken from. Pure: the same concepts, fraction and seed always give the same split,
 * whatever order the concepts come in.
 *
 * Only labels that are real tests are candidates: a label equal (case-insensitively, trimmed) to
 * the concept's preferred label is not (ESCO repeats the preferred label inside altLabels), and
 * variants of one label that differ only in case go out together, so the concept never keeps a
 * copy of what it is queried with. A held-out label that is also a label of another concept of
 * the same type is marked ambiguous: that query has more than one right answer.
 */
import { createHash } from 'node:crypto';
import type { ConceptType } from '../src/search/concepts.ts';

export interface ConceptLabels {
  uri: string;
  type: ConceptType;
  preferredLabel: string;
  altLabels: readonly string[];
}

export interface HeldOutLabel {
  type: ConceptType;
  /** The concept the label was taken from: the one right answer (unless ambiguous). */
  uri: string;
  /** The query: the label as the data spells it (its first spelling when it has case variants). */
  label: string;
  /** Other concepts of the same type with this label (preferred or alternative), in the full data. */
  alsoLabelOf: string[];
}

export interface SplitStats {
  concepts: number;
  /** Alternative labels as the reader gives them (the preferred label's exact copy left out). */
  altLabels: number;
  /** Distinct (case-insensitive) alternative labels that differ from the preferred label. */
  candidates: number;
  heldOut: number;
  ambiguous: number;
}

export interface Split {
  heldOut: HeldOutLabel[];
  /** Concept URI → keys (labelKey) of its labels to remove from the indexed data. */
  removed: Map<string, Set<string>>;
  stats: Record<ConceptType, SplitStats>;
}

export interface SplitOptions {
  /** Share of each type's candidates held out, 0..1. */
  fraction: number;
  seed: string;
}

/** What "the same label" means here: case-insensitive, trimmed, no-break spaces as spaces. */
export function labelKey(label: string): string {
  return label.replaceAll('\u00a0', ' ').trim().toLowerCase();
}

interface Candidate {
  type: ConceptType;
  uri: string;
  key: string;
  label: string;
  rank: string;
}

export function holdOutLabels(concepts: readonly ConceptLabels[], options: SplitOptions): Split {
  if (!(options.fraction >= 0 && options.fraction <= 1)) throw new Error(`fraction ${options.fraction} is not in 0..1`);
  const owners = labelOwners(concepts);
  const stats = { occupation: emptyStats(), skill: emptyStats() };
  const byType: Record<ConceptType, Candidate[]> = { occupation: [], skill: [] };
  for (const concept of concepts) {
    const s = stats[concept.type];
    s.concepts++;
    s.altLabels += concept.altLabels.length;
    for (const c of candidatesOf(concept, options.seed)) byType[concept.type].push(c);
  }
  const split: Split = { heldOut: [], removed: new Map(), stats };
  for (const type of ['occupation', 'skill'] as const) {
    const candidates = byType[type];
    stats[type].candidates = candidates.length;
    // The lowest seeded hashes: a uniform random sample of exactly the wanted size.
    candidates.sort((a, b) => cmp(a.rank, b.rank));
    for (const c of candidates.slice(0, Math.round(options.fraction * candidates.length))) {
      const alsoLabelOf = [...(owners.get(`${type}\n${c.key}`) ?? [])].filter((u) => u !== c.uri).sort();
      split.heldOut.push({ type, uri: c.uri, label: c.label, alsoLabelOf });
      split.removed.set(c.uri, (split.removed.get(c.uri) ?? new Set<string>()).add(c.key));
      stats[type].heldOut++;
      if (alsoLabelOf.length > 0) stats[type].ambiguous++;
    }
  }
  // Code-unit order, not the locale's: the same split and order on every machine.
  split.heldOut.sort((a, b) => cmp(a.type, b.type) || cmp(a.uri, b.uri) || cmp(a.label, b.label));
  return split;
}

/** The concept's distinct alternative labels that are not its preferred label, each with its draw. */
function candidatesOf(concept: ConceptLabels, seed: string): Candidate[] {
  const preferred = labelKey(concept.preferredLabel);
  const seen = new Map<string, Candidate>();
  for (const label of concept.altLabels) {
    const key = labelKey(label);
    if (key === '' || key === preferred || seen.has(key)) continue;
    const rank = createHash('sha256').update(`${seed}\n${concept.type}\n${concept.uri}\n${key}`).digest('hex');
    seen.set(key, { type: concept.type, uri: concept.uri, key, label: label.trim(), rank });
  }
  return [...seen.values()];
}

/** `type\nkey` → the concepts that have the label, preferred or alternative. */
function labelOwners(concepts: readonly ConceptLabels[]): Map<string, Set<string>> {
  const owners = new Map<string, Set<string>>();
  for (const c of concepts) {
    for (const label of [c.preferredLabel, ...c.altLabels]) {
      const id = `${c.type}\n${labelKey(label)}`;
      owners.set(id, (owners.get(id) ?? new Set<string>()).add(c.uri));
    }
  }
  return owners;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function emptyStats(): SplitStats {
  return { concepts: 0, altLabels: 0, candidates: 0, heldOut: 0, ambiguous: 0 };
}
