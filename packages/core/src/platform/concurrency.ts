/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Calls resolve one at a time, each at least one event-loop turn after the previous one, and on
 * average no more often than one per `spacingMs`: a timer cannot wait less than a millisecond, so
 * a shorter wait is one turn and the time it owes is added to the next wait.
 */
export function spaced(spacingMs: number): () => Promise<void> {
  let last = Promise.resolve();
  let next = 0;
  return () =>
    (last = last.then(async () => {
      const wait = next - performance.now();
      await new Promise<void>((resolve) => (wait >= 1 ? setTimeout(resolve, wait) : setImmediate(resolve)));
      next = Math.max(performance.now(), next) + spacingMs;
    }));
}

/** Each call resolves one event-loop turn (a setImmediate) after the previous call's. */
export function turns(): () => Promise<void> {
  let last = Promise.resolve();
  return () => (last = last.then(() => new Promise<void>((resolve) => setImmediate(resolve))));
}
