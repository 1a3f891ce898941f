import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FERRETDB_PATCHED_FILE, patchFerretIdColumn } from '../../src/ferretdb-patch.ts';

function moduleFile(rel: string): string | null {
  const res = spawnSync('go', ['mod', 'download', '-json', 'github.com/FerretDB/FerretDB'], {
    cwd: path.resolve(import.meta.dirname, '../../tools/ferretdb'),
    encoding: 'utf8',
  });
  if (res.status !== 0) return null;
  return path.join((JSON.parse(res.stdout) as { Dir: string }).Dir, rel);
}

describe('FerretDB _id index patch', () => {
  const metadata = moduleFile(FERRETDB_PATCHED_FILE);
  const registry = moduleFile('internal/backends/sqlite/metadata/registry.go');

  it.skipIf(!metadata || !registry)('makes _id filters use the expression FerretDB indexes', () => {
    const patched = patchFerretIdColumn(readFileSync(metadata!, 'utf8'));
    // registry.go builds index columns as `DefaultColumn->"field"`.
    expect(readFileSync(registry!, 'utf8')).toContain(
      'fmt.Sprintf("%s->%s", DefaultColumn, strings.Join(fields, "->"))',
    );
    expect(patched).toContain('IDColumn = DefaultColumn + `->"_id"`');
    expect(patched).not.toContain("->'$._id'");
  });

  it('refuses a source that no longer has the line it fixes', () => {
    expect(() => patchFerretIdColumn('package metadata\n')).toThrow(/FerretDB source changed/);
  });
});
