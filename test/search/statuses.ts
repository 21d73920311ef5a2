/** Status records as `init` leaves them, for the search service's unit tests. */
import { type DatasetStatus, notStarted } from '../../src/status/status-store.ts';

/** A completed status record publishing generation `id`, whose dataset's fingerprint is `fingerprint`. */
export function published(id: number, fingerprint = `${id}`.repeat(64).slice(0, 64)): DatasetStatus {
  const at = '2026-12-03T09:00:00.000Z';
  const record = {
    id,
    fingerprint,
    schemaVersion: 's1',
    runId: `run-${id}`,
    createdAt: at,
    completedAt: at,
    counts: {},
  };
  return {
    ...notStarted('esco', '1.0.0'),
    state: 'completed',
    fingerprint,
    generation: id,
    generations: [record],
  };
}
