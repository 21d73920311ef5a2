/**
 * The passes of an ESCO ingestion, in gate order: read → schema → objects → references → verify.
 * Both callers run exactly these: `ingest` (src/ingest/ingest.ts) one after the other, `init`
 * (src/orchestration/init-passes.ts) through the pipeline, with the lease's fence as the context's
 * guard, resume, records and a publish pass after them.
 *
 * Server work overlaps client work where the gates allow it:
 * - the read pass parses the dataset while the schema is ensured and the stored hashes are read
 *   (collections are a Raft round trip each; hashes a cursor over every collection);
 * - into a fresh generation (nobody reads it until it is published), the objects pass's
 *   placeholders are written while the read goes on: each concept as soon as its row is valid;
 * - verification of a collection starts as soon as the references pass has finished with it (reading
 *   back is largely our CPU, writing largely the server's): the verify pass waits for the rest.
 */
import { EscoInitError } from '../errors.ts';
import type { Counts } from '../status/status-store.ts';
import {
  type EnsureSchemaReport,
  ensureSchema,
  renameCollections,
  type SchemaDefinitions,
} from '../weaviate/schema.ts';
import { diffCollection, dirtyIds, readStoredHashes, type StoredHashes } from './changes.ts';
import { type IngestContext, physicalName } from './context.ts';
import { Gate } from './gate.ts';
import { INGESTED_COLLECTIONS } from './mapping.ts';
import { observed } from './observed.ts';
import type { PassDefinition } from './pipeline.ts';
import { type NodeListener, PlaceholderStream } from './placeholder-stream.ts';
import { type Plan, totalReferences } from './plan.ts';
import { type VerifyOptions, type VerifyReport, verify } from './verify.ts';
import { type ObjectsReport, type ReferencesReport, writeObjects, writeReferences } from './write.ts';

export interface PassesInput {
  /**
   * Builds the plan, or returns one already being built (the caller may start it early); calls
   * `onNode` for every concept as it is read, when given.
   */
  plan: (onNode?: NodeListener) => Promise<Plan>;
  /** The run writes a generation of its own that nothing holds yet: placeholders stream during the read. */
  fresh?: boolean;
  definitions: SchemaDefinitions;
  ctx: IngestContext;
  /** The fingerprint the run was decided on: the read pass fails if the files no longer match. */
  fingerprint?: string;
  verify?: Omit<VerifyOptions, 'hashes' | 'readBack' | 'ready'>;
}

/** What the passes found and did, filled in as they run. */
export interface PassesState {
  plan?: Plan;
  schema?: EnsureSchemaReport;
  objects?: ObjectsReport;
  references?: ReferencesReport;
  verified?: VerifyReport;
  /** Milliseconds from the start of the read pass until the plan and the schema were ready. */
  ms: { plan: number; schema: number };
}

export function ingestionPasses(input: PassesInput): { passes: PassDefinition[]; state: PassesState } {
  const { ctx } = input;
  const state: PassesState = { ms: { plan: 0, schema: 0 } };
  const prepared = new Prepared(input, state);
  const planned = (): Plan => {
    if (!state.plan) throw new EscoInitError('INTERNAL', 'a pass needs the plan, but the read pass did not run');
    return state.plan;
  };
  const passes: PassDefinition[] = [
    {
      name: 'read',
      resumable: false,
      run: async () => {
        const started = performance.now();
        prepared.start(started);
        try {
          state.plan = await prepared.read();
          state.ms.plan = Math.round(performance.now() - started);
          ctx.log.info({ objects: state.plan.expected.objects, references: totalReferences(state.plan) }, 'plan built');
          return readOutcome(state.plan, input.fingerprint);
        } catch (error) {
          prepared.abandon(error);
          throw error;
        }
      },
    },
    {
      name: 'schema',
      resumable: false,
      run: async () => {
        const report = await prepared.schema();
        const counts = { created: report.created.length, addedProperties: report.addedProperties.length };
        return { counts, note: report.created.length > 0 ? `created ${report.created.join(', ')}` : undefined };
      },
    },
    {
      name: 'objects',
      resumable: true,
      run: async () => {
        const report = await writeObjects(planned(), ctx, await prepared.stored(), await prepared.streamed());
        state.objects = report;
        return { counts: objectCounts(report) };
      },
    },
    {
      name: 'references',
      resumable: true,
      run: async () => {
        const report = await prepared.writeReferences(planned());
        state.references = report;
        const { written, references, deleted, carried } = report;
        return { counts: { written, references, deleted, carried } };
      },
    },
    {
      name: 'verify',
      resumable: false,
      run: async () => {
        const verified = await prepared.verified(planned());
        state.verified = verified;
        return { counts: { objects: verified.objects, references: verified.references, sampled: verified.sampled } };
      },
    },
  ];
  return { passes, state };
}

/**
 * The work that runs ahead of its pass: schema and stored hashes during the read pass, the
 * verification of finished collections during the references pass.
 */
class Prepared {
  readonly #input: PassesInput;
  readonly #state: PassesState;
  #schema: Promise<EnsureSchemaReport> | undefined;
  #stored: Promise<StoredHashes> | undefined;
  /** Ids this run writes whole, taken before any write: they are read back, the rest checked by hash. */
  #readBack: Set<string> | undefined;
  #verifying: Promise<VerifyReport> | undefined;
  #stream: PlaceholderStream | undefined;
  /** Resolves once every collection exists (their reference properties may still be being added). */
  readonly #collections = Promise.withResolvers<void>();

  constructor(input: PassesInput, state: PassesState) {
    this.#input = input;
    this.#state = state;
    // Rejected with the schema's failure, which the schema pass surfaces (or abandon() logs).
    observed(this.#collections.promise);
  }

  /** The plan, with placeholders streaming into a fresh generation as concepts are read. */
  async read(): Promise<Plan> {
    if (!this.#input.fresh) return this.#input.plan();
    observed(this.schema()); // its failure surfaces in the schema pass (and in the stream's writes)
    this.#stream = new PlaceholderStream(this.#input.ctx, this.#collections.promise);
    try {
      return await this.#input.plan(this.#stream.add);
    } catch (error) {
      await this.#stream.stop();
      throw error;
    }
  }

  /** The placeholders written during the read, per collection (none when nothing streamed). */
  async streamed(): Promise<ReadonlyMap<string, ReadonlySet<string>> | undefined> {
    return this.#stream?.finish();
  }

  /**
   * Starts the schema and then the hashes: their failures surface in the schema and objects passes
   * (which await them), or in abandon() when the read pass fails first.
   */
  start(started: number): void {
    observed(this.schema(started));
    observed(this.stored());
  }

  /**
   * The read pass failed with `surfaced`: no pass will await the work started beside it, so its
   * own failures are logged here rather than lost.
   */
  abandon(surfaced: unknown): void {
    const warn = (what: string) => this.#alsoFailed(surfaced, `${what} failed too, beside the read pass`);
    // The hashes are read after the schema: a schema failure is theirs too, and is logged once.
    this.#schema?.then(() => this.#stored?.catch(warn('reading the stored hashes')), warn('ensuring the schema'));
  }

  /**
   * Logs a failure of work beside a pass that failed with `surfaced`, unless it is that error
   * again, or the signal's (after a signal everything fails, and the run reports the interruption).
   */
  #alsoFailed(surfaced: unknown, message: string): (error: unknown) => void {
    const { log, signal } = this.#input.ctx;
    return (error) => {
      if (error !== surfaced && !signal.aborted) log.warn({ err: error }, message);
    };
  }

  schema(started = performance.now()): Promise<EnsureSchemaReport> {
    const { ctx, definitions } = this.#input;
    if (this.#schema) return this.#schema;
    const collections = this.#collections;
    this.#schema = ctx.guard().then(async () => {
      const onCollections = () => collections.resolve();
      const report = await ensureSchema(ctx.client, generationDefinitions(definitions, ctx), ctx.log, {
        onCollections,
      });
      this.#state.ms.schema = Math.round(performance.now() - started);
      this.#state.schema = report;
      return report;
    });
    this.#schema.catch((error: unknown) => collections.reject(error));
    return this.#schema;
  }

  /**
   * Read once per run, before the first write, and kept current by the write passes: what they
   * write is recorded in it. A pass resumed from an earlier run still finds what that run wrote.
   */
  stored(): Promise<StoredHashes> {
    // A fresh generation holds nothing but what this run streams into it while it would be read.
    const read = () => (this.#input.fresh ? new Map() : readStoredHashes(INGESTED_COLLECTIONS, this.#input.ctx));
    this.#stored ??= this.schema().then(read);
    return this.#stored;
  }

  async writeReferences(plan: Plan): Promise<ReferencesReport> {
    const stored = await this.stored();
    this.#readBack ??= dirtyIds(plan, stored);
    // With deletions, a collection is final only after the last one: verify after the pass then.
    const deletes = plan.collections.some((c) => diffCollection(c, stored.get(c.name) ?? new Map()).stale.length > 0);
    if (deletes || this.#readBack.size === 0) return writeReferences(plan, this.#input.ctx, stored);
    const gate = new Gate();
    // Awaited by the verify pass; when the writes fail first, by the catch below.
    const verifying = observed(this.#verify(plan, stored, (name) => gate.wait(name)));
    this.#verifying = verifying;
    try {
      return await writeReferences(plan, this.#input.ctx, stored, (name) => gate.open(name));
    } catch (error) {
      gate.fail(error);
      // The run fails with the write error (the gate passes it on to verification); verification's
      // own failure is logged rather than lost.
      verifying.catch(this.#alsoFailed(error, 'verification beside the references pass failed too'));
      throw error;
    }
  }

  async verified(plan: Plan): Promise<VerifyReport> {
    if (this.#verifying) return this.#verifying;
    const stored = await this.stored();
    return this.#verify(plan, stored);
  }

  #verify(plan: Plan, stored: StoredHashes, ready?: (collection: string) => Promise<void>): Promise<VerifyReport> {
    // `stored` was read before the writes and follows them: every object this run writes is read
    // back whole, and the hashes of the others were read in this run (the holder is the only writer).
    this.#readBack ??= dirtyIds(plan, stored);
    return verify(plan, this.#input.ctx, { ...this.#input.verify, hashes: stored, readBack: this.#readBack, ready });
  }
}

/** The ingested collections as the run's generation names them; Metadata is never in one. */
function generationDefinitions(definitions: SchemaDefinitions, ctx: IngestContext): SchemaDefinitions {
  const ingested = new Set<string>(INGESTED_COLLECTIONS);
  return renameCollections(definitions, (name) => (ingested.has(name) ? physicalName(ctx, name) : name));
}

function readOutcome(plan: Plan, fingerprint: string | undefined) {
  if (fingerprint !== undefined && plan.dataset.fingerprint !== fingerprint) {
    throw new EscoInitError(
      'DATA_INVALID',
      `the dataset files changed while esco-init was starting (fingerprint ${fingerprint.slice(0, 12)} → ${plan.dataset.fingerprint.slice(0, 12)}); run again once they are complete`,
    );
  }
  const dangling = plan.dataset.danglingReferences.total;
  const counts: Counts = { ...plan.expected.objects, references: totalReferences(plan), danglingRelations: dangling };
  return {
    counts,
    note: dangling > 0 ? `${dangling} relation rows name unknown concepts (reported, not stored)` : undefined,
  };
}

function objectCounts(report: ObjectsReport): Counts {
  const counts: Counts = { written: report.written };
  for (const [name, c] of Object.entries(report.collections)) {
    Object.assign(counts, {
      [`${name}.added`]: c.added,
      [`${name}.updated`]: c.updated,
      [`${name}.unchanged`]: c.unchanged,
    });
  }
  return counts;
}

/**
 * What the status record keeps, per collection: objects and references as read back by verify,
 * plus the dataset's dangling relation rows and unresolvable links (reported, never stored).
 */
export function statusCounts(plan: Plan, verified: VerifyReport): Counts {
  const counts: Counts = {};
  for (const [name, c] of Object.entries(verified.collections)) {
    counts[name] = c.objects;
    counts[`${name}.references`] = c.referencesRead + c.referencesByHash;
  }
  counts.objects = verified.objects;
  counts.references = verified.references;
  counts.danglingRelations = plan.dataset.danglingReferences.total;
  counts.unresolvedLinks = Object.values(plan.links).reduce((n, l) => n + l.unresolved, 0);
  return counts;
}
