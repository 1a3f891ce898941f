/**
 * A FerretDB built with more fixes replaces the binaries built before it: each is about 37 MB,
 * and `.data/bin` kept every patch level ever built.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pruneFerretBinaries } from '../../src/local-services.ts';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('pruneFerretBinaries', () => {
  it('removes the other FerretDB binaries and nothing else', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ferret-bin-'));
    for (const name of ['ferretdb-1.24.2-p2', 'ferretdb-1.24.2', 'ferretdb-1.24.2-p3', 'redis-notes.txt'])
      writeFileSync(path.join(dir, name), 'x');
    mkdirSync(path.join(dir, 'other'));
    expect(pruneFerretBinaries(dir, 'ferretdb-1.24.2-p3').sort()).toEqual([
      'ferretdb-1.24.2',
      'ferretdb-1.24.2-p2',
    ]);
    expect(readdirSync(dir).sort()).toEqual(['ferretdb-1.24.2-p3', 'other', 'redis-notes.txt']);
    expect(pruneFerretBinaries(dir, 'ferretdb-1.24.2-p3')).toEqual([]);
  });
});
