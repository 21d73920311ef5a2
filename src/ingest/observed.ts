/**
 * Marks a rejection as handled elsewhere: for a promise started early whose error a later await
 * surfaces (the pass that needs it). Without it Node reports an unhandled rejection, and exits,
 * before that await is reached. Every call says where the error surfaces.
 */
export function observed<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}
