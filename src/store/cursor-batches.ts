/**
 * Reading a cursor in batches: a scan's first documents are used while the database reads the
 * rest, and nothing holds the whole result.
 */

/**
 * The documents of `cursor` as `toItem` makes them, in batches of `size`. Stopping early (a
 * `return` or a throw in the consumer) closes the cursor.
 */
export async function* cursorBatches<D, T>(
  cursor: AsyncIterable<D>,
  size: number,
  toItem: (doc: D) => T,
): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const d of cursor) {
    batch.push(toItem(d));
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
