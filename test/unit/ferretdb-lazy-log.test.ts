import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const toolDir = path.resolve(import.meta.dirname, '../../tools/ferretdb');
const hasGo = spawnSync('go', ['version']).status === 0;

describe('the local FerretDB logger (decision 0020)', () => {
  // FerretDB formatted every SQL statement's arguments for debug records that are off: about a
  // fifth of its CPU while digests were built. The Go tests check that a disabled record formats
  // nothing and that a written one keeps its attributes and groups.
  it.skipIf(!hasGo)('formats attributes only for records it writes', () => {
    const res = spawnSync('go', ['test', '-count=1', './lazylog'], { cwd: toolDir, encoding: 'utf8' });
    expect(res.stdout + res.stderr).toMatch(/^ok\s+\S+\/lazylog/m);
    expect(res.status).toBe(0);
  });

  it('is what the FerretDB command logs through', () => {
    const main = readFileSync(path.join(toolDir, 'main.go'), 'utf8');
    expect(main).toMatch(/slog\.New\(lazylog\.New\(/);
  });
});
