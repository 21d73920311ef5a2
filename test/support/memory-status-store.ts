/** In-memory StatusStore with the Weaviate one's contract, for unit tests of the orchestration. */
import type { DatasetStatus, RunRecord, StatusStore } from '../../src/status/status-store.ts';

export class MemoryStatusStore implements StatusStore {
  readonly statuses = new Map<string, DatasetStatus>();
  readonly runs = new Map<string, RunRecord>();
  /** Every status write, in order. */
  readonly statusWrites: DatasetStatus[] = [];

  async readStatus(key: string): Promise<DatasetStatus | null> {
    const found = this.statuses.get(key);
    return found ? structuredClone(found) : null;
  }

  async writeStatus(status: DatasetStatus): Promise<void> {
    this.statuses.set(status.key, structuredClone(status));
    this.statusWrites.push(structuredClone(status));
  }

  async readRun(runId: string): Promise<RunRecord | null> {
    const found = this.runs.get(runId);
    return found ? structuredClone(found) : null;
  }

  async writeRun(run: RunRecord): Promise<void> {
    // Re-inserting moves the run to the end: insertion order stands in for updatedAt.
    this.runs.delete(run.runId);
    this.runs.set(run.runId, structuredClone(run));
  }

  async listRuns(datasetKey: string, limit: number): Promise<RunRecord[]> {
    return [...this.runs.values()]
      .reverse()
      .filter((r) => r.datasetKey === datasetKey)
      .slice(0, limit)
      .map((r) => structuredClone(r));
  }

  async deleteRun(runId: string): Promise<void> {
    this.runs.delete(runId);
  }
}
