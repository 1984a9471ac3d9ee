/**
 * Run fn over items with at most `limit` in flight; results keep the input order. After a failure no
 * new item starts, and the first error is thrown once those in flight have settled, so no work of
 * this call is still running when it returns.
 */
export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const failure: { failed: boolean; error?: unknown } = { failed: false };
  const worker = async () => {
    while (!failure.failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T, i);
      } catch (error) {
        if (!failure.failed) Object.assign(failure, { failed: true, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure.failed) throw failure.error;
  return results;
}

/**
 * Like Promise.all, but settles only when every promise has: the first failure is thrown after the rest are done,
 * so nothing is still writing when the caller cleans up after it.
 */
export async function allSettledOrThrow<T>(promises: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
