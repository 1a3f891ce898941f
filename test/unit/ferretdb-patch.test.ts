import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchedUpdatePatch, FERRET_PATCHES, idColumnPatch } from '../../src/ferretdb-patch.ts';

function moduleFile(rel: string): string | null {
  const res = spawnSync('go', ['mod', 'download', '-json', 'github.com/FerretDB/FerretDB'], {
    cwd: path.resolve(import.meta.dirname, '../../tools/ferretdb'),
    encoding: 'utf8',
  });
  if (res.status !== 0) return null;
  return path.join((JSON.parse(res.stdout) as { Dir: string }).Dir, rel);
}

describe('FerretDB _id index patch', () => {
  const metadata = moduleFile(idColumnPatch.file);
  const registry = moduleFile('internal/backends/sqlite/metadata/registry.go');

  it.skipIf(!metadata || !registry)('makes _id filters use the expression FerretDB indexes', () => {
    const patched = idColumnPatch.apply(readFileSync(metadata!, 'utf8'));
    // registry.go builds index columns as `DefaultColumn->"field"`.
    expect(readFileSync(registry!, 'utf8')).toContain(
      'fmt.Sprintf("%s->%s", DefaultColumn, strings.Join(fields, "->"))',
    );
    expect(patched).toContain('IDColumn = DefaultColumn + `->"_id"`');
    expect(patched).not.toContain("->'$._id'");
  });
});

describe('FerretDB batched update patch', () => {
  const update = moduleFile(batchedUpdatePatch.file);

  it.skipIf(!update)('writes modified documents in batches, flushed before the result is returned', () => {
    const source = readFileSync(update!, 'utf8');
    const patched = batchedUpdatePatch.apply(source);
    // One UpdateAll call per document before; after, the batch's and findAndModify's.
    expect(source.match(/c\.UpdateAll\(/g)).toHaveLength(1);
    expect(patched.match(/c\.UpdateAll\(/g)).toHaveLength(2);
    expect(patched).toContain('UpdateAllParams{Docs: pending}');
    expect(patched).toContain('} else if modified && !isFindAndModify {');
    // The flush comes before every normal return of the loop.
    expect(patched.indexOf('if err = flush(); err != nil')).toBeLessThan(
      patched.indexOf('return result, nil'),
    );
  });
});

describe('FerretDB patches', () => {
  it('refuse a source that no longer has what they replace', () => {
    for (const patch of FERRET_PATCHES) {
      expect(() => patch.apply('package x\n')).toThrow(/FerretDB source changed/);
    }
  });
});
