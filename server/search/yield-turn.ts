/**
 * Lets pending I/O (other requests, `/healthz`) run before the next store read. The embedded store answers a
 * read synchronously and its promise resolves as a microtask, so a search of many reads (a batch of searches,
 * `_has`, include rounds) would otherwise hold the event loop from its first read to its last.
 */
export function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
