/**
 * One-line fix applied when building FerretDB v1.24.2: `src/local-services.ts` copies the module
 * from the Go module cache, patches this line, and builds through a temporary `go.mod` with a
 * `replace` directive (nothing of FerretDB's source is kept in this repository).
 *
 * Its SQLite backend creates the `_id` index on the expression `_ferretdb_sjson->"_id"` but
 * filters, updates and deletes by `_ferretdb_sjson->'$._id'`. SQLite matches index expressions
 * textually, so no `_id` look-up uses the index: every `findOne({_id})`, `updateOne({_id})` and
 * `deleteOne({_id})` scans the whole collection (measured: 28 ms for one article among 4,000).
 * Both expressions select the same JSON value; the patch makes the filter use the indexed one.
 */

/** The file of the FerretDB module that holds the expression, relative to the module root. */
export const FERRETDB_PATCHED_FILE = 'internal/backends/sqlite/metadata/metadata.go';

const BROKEN = `IDColumn = DefaultColumn + "->'$._id'"`;
const FIXED = 'IDColumn = DefaultColumn + `->"_id"`';

/** Patch the source of {@link FERRETDB_PATCHED_FILE}; throws when it does not hold the expected line. */
export function patchFerretIdColumn(source: string): string {
  if (!source.includes(BROKEN)) {
    throw new Error(`FerretDB source changed: ${FERRETDB_PATCHED_FILE} has no ${BROKEN}`);
  }
  return source.replace(BROKEN, FIXED);
}
