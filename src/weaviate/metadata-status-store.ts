/** The StatusStore (src/status/status-store.ts) in the Metadata collection, one document per record. */
import type { WeaviateClient } from 'weaviate-client';
import type { z } from 'zod';
import { EscoInitError } from '../errors.ts';
import {
  type DatasetStatus,
  DatasetStatusSchema,
  type RunRecord,
  RunRecordSchema,
  type StatusStore,
} from '../status/status-store.ts';
import { MetadataDocs } from './metadata-docs.ts';

export class WeaviateStatusStore implements StatusStore {
  readonly #docs: MetadataDocs;

  constructor(client: WeaviateClient) {
    this.#docs = new MetadataDocs(client);
  }

  async readStatus(key: string): Promise<DatasetStatus | null> {
    const doc = await this.#docs.read('status', key);
    return doc ? parse(DatasetStatusSchema, doc.data, `status record "${key}"`) : null;
  }

  async writeStatus(status: DatasetStatus): Promise<void> {
    await this.#docs.write('status', status.key, status.state, status);
  }

  async readRun(runId: string): Promise<RunRecord | null> {
    const doc = await this.#docs.read('run', runId);
    return doc ? parse(RunRecordSchema, doc.data, `run record "${runId}"`) : null;
  }

  async writeRun(run: RunRecord): Promise<void> {
    await this.#docs.write('run', run.runId, run.state, run);
  }

  async listRuns(datasetKey: string, limit: number): Promise<RunRecord[]> {
    // Runs of other dataset keys are rare (one key per Weaviate in practice): over-fetch a little.
    const docs = await this.#docs.list('run', limit * 2 + 10);
    return docs
      .map((d) => parse(RunRecordSchema, d.data, `run record "${d.key}"`))
      .filter((r) => r.datasetKey === datasetKey)
      .slice(0, limit);
  }

  async deleteRun(runId: string): Promise<void> {
    await this.#docs.delete('run', runId);
  }
}

function parse<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  throw new EscoInitError(
    'INTERNAL',
    `the ${what} in the Metadata collection was not written by this version of esco-init (${problems}); delete the Metadata collection to start over`,
  );
}
