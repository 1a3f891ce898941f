/**
 * Fixes applied when building FerretDB v1.24.2 (decisions 0002 and 0018): `src/local-services.ts`
 * copies the module from the Go module cache, applies each patch to its file, and builds through
 * a temporary `go.mod` with a `replace` directive (nothing of FerretDB's source is kept in this
 * repository). Each patch refuses a source that no longer holds what it replaces.
 */

/** A change to one file of the FerretDB module. */
export interface FerretPatch {
  /** The file, relative to the module root. */
  file: string;
  /** The patched source; throws when `source` does not hold what the patch replaces. */
  apply(source: string): string;
}

function replaceAll(file: string, source: string, pairs: ReadonlyArray<readonly [string, string]>): string {
  let out = source;
  for (const [from, to] of pairs) {
    if (!out.includes(from))
      throw new Error(`FerretDB source changed: ${file} has no ${from.trim().split('\n')[0]}`);
    out = out.replace(from, to);
  }
  return out;
}

/**
 * Its SQLite backend creates the `_id` index on the expression `_ferretdb_sjson->"_id"` but
 * filters, updates and deletes by `_ferretdb_sjson->'$._id'`. SQLite matches index expressions
 * textually, so no `_id` look-up uses the index: every `findOne({_id})`, `updateOne({_id})` and
 * `deleteOne({_id})` scans the whole collection (measured: 28 ms for one article among 4,000).
 * Both expressions select the same JSON value; the patch makes the filter use the indexed one.
 */
export const idColumnPatch: FerretPatch = {
  file: 'internal/backends/sqlite/metadata/metadata.go',
  apply: (source) =>
    replaceAll(idColumnPatch.file, source, [
      [`IDColumn = DefaultColumn + "->'$._id'"`, 'IDColumn = DefaultColumn + `->"_id"`'],
    ]),
};

/**
 * An update of many documents wrote each one in a transaction of its own while the query that
 * found them was still reading. Under that open read SQLite cannot checkpoint its write-ahead
 * log, so the log grew by about 8 kB per document and every page access searched all of it:
 * `updateMany` became quadratic (a digest group's mark: 0.31 ms per chat at 10,000 chats,
 * 1.7 ms at 30,000, minutes at 100,000). The patch writes the modified documents in batches of
 * 1,000, one transaction each; `findAndModify` is unchanged.
 */
export const batchedUpdatePatch: FerretPatch = {
  file: 'internal/handler/common/update.go',
  apply: (source) =>
    replaceAll(batchedUpdatePatch.file, source, [
      [
        `	isFindAndModify := (strings.ToLower(cmd) == "findandmodify")
`,
        `	isFindAndModify := (strings.ToLower(cmd) == "findandmodify")

	// newsrelay: modified documents are written in batches, one transaction each (see
	// src/ferretdb-patch.ts in newsrelay).
	var pending []*types.Document
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		_, err := c.UpdateAll(ctx, &backends.UpdateAllParams{Docs: pending})
		pending = nil
		return err
	}
`,
      ],
      [
        `			if !upsert {
				return result, nil
			}`,
        `			if !upsert {
				if err = flush(); err != nil {
					return nil, lazyerrors.Error(err)
				}
				return result, nil
			}`,
      ],
      [
        `		} else if modified {
			_, err := c.UpdateAll(`,
        `		} else if modified && !isFindAndModify {
			pending = append(pending, doc)
			result.Modified.Count++
			if len(pending) >= 1000 {
				if err = flush(); err != nil {
					return nil, lazyerrors.Error(err)
				}
			}
		} else if modified {
			_, err := c.UpdateAll(`,
      ],
    ]),
};

/** Every patch, in the order they are applied. */
export const FERRET_PATCHES: readonly FerretPatch[] = [idColumnPatch, batchedUpdatePatch];
