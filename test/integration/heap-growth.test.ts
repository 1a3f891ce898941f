/**
 * HEAP_GROWTH_PERCENT bounds how far a process's heap grows past what survives a full
 * collection (issue 11: V8's own policy let a worker's heap grow about four times, most of its
 * poll-cycle memory). Each case runs the same allocation in a fresh process: a live set, then
 * objects that survive a while and die, as a busy worker's jobs do.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { NewsrelayError } from '../../src/errors.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Peak heap (MB) of the allocation in a fresh process that applied `percent`. */
function peakHeapMb(percent: number): number {
  const script = `
    const { applyHeapGrowth } = await import(${JSON.stringify(path.join(root, 'src/heap-growth.ts'))});
    applyHeapGrowth(${percent});
    const live = [];
    for (let i = 0; i < 400000; i++) live.push({ i, s: 'live-' + i });
    const ring = new Array(50000);
    let peak = 0;
    for (let n = 0; n < 10000000; n++) {
      ring[n % ring.length] = { n, a: [n, n + 1, n + 2], s: 'garbage-' + n };
      if (n % 10000 === 0) peak = Math.max(peak, process.memoryUsage().heapTotal);
    }
    process.stdout.write(String(peak / 1048576) + ' ' + live.length);
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return Number(run.stdout.split(' ')[0]);
}

describe('heap growth', () => {
  it('at 20 % the heap stays well under what V8’s own policy lets it reach', () => {
    const own = peakHeapMb(0);
    const bounded = peakHeapMb(20);
    expect(bounded).toBeLessThan(own * 0.7);
  });

  it('the setting is a whole percentage from 0 to 300, 20 when unset', () => {
    expect(loadConfig({}).HEAP_GROWTH_PERCENT).toBe(20);
    expect(loadConfig({ HEAP_GROWTH_PERCENT: '0' }).HEAP_GROWTH_PERCENT).toBe(0);
    for (const bad of ['-5', '301', '12.5', 'lots']) {
      expect(() => loadConfig({ HEAP_GROWTH_PERCENT: bad })).toThrow(NewsrelayError);
      expect(() => loadConfig({ HEAP_GROWTH_PERCENT: bad })).toThrow(/HEAP_GROWTH_PERCENT/);
    }
  });
});
