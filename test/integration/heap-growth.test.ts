/**
 * HEAP_GROWTH_PERCENT bounds how far a small heap grows past what survives a full collection
 * (issue 11: V8's own policy let a worker's heap grow about four times, most of its poll-cycle
 * memory); a large one keeps V8's policy, where collecting more often costs more than it saves. Each case runs the same allocation in a fresh process: a live set, then objects that
 * survive a while and die, as a busy worker's jobs do.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { NewsrelayError } from '../../src/errors.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Peak heap (MB) of the allocation in a fresh process that bounds growth to `percent` while less
 * than `smallHeapMb` is live (the allocation keeps about 40 MB live), and whether it was bounded
 * at the end.
 */
function run(percent: number, smallHeapMb = 160): { peakMb: number; bounded: boolean } {
  const script = `
    const { boundHeapGrowth } = await import(${JSON.stringify(path.join(root, 'src/heap-growth.ts'))});
    const growth = boundHeapGrowth(${percent}, ${smallHeapMb});
    const live = [];
    for (let i = 0; i < 400000; i++) live.push({ i, s: 'live-' + i });
    const ring = new Array(50000);
    let peak = 0;
    for (let n = 0; n < 6000000; n++) {
      ring[n % ring.length] = { n, a: [n, n + 1, n + 2], s: 'garbage-' + n };
      // A service's work yields to its event loop, where the policy looks at the heap.
      if (n % 10000 === 0) {
        peak = Math.max(peak, process.memoryUsage().heapTotal);
        await new Promise((r) => setImmediate(r));
      }
    }
    process.stdout.write(JSON.stringify({ peakMb: peak / 1048576, bounded: growth.bounded, live: live.length }));
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout) as { peakMb: number; bounded: boolean };
}

let ownPolicy: { peakMb: number; bounded: boolean } | undefined;
/** The allocation under V8's own policy, run once for both comparisons. */
const own = () => {
  ownPolicy ??= run(0);
  return ownPolicy;
};

describe('heap growth', () => {
  it('at 20 % a small heap stays well under what V8’s own policy lets it reach', () => {
    const bounded = run(20);
    expect(own().bounded).toBe(false);
    expect(bounded.bounded).toBe(true);
    expect(bounded.peakMb).toBeLessThan(own().peakMb * 0.7);
  });

  it('a heap whose live part is above the small-heap mark grows as V8’s own policy lets it', () => {
    const large = run(20, 16);
    expect(large.bounded).toBe(false);
    expect(large.peakMb).toBeGreaterThan(own().peakMb * 0.8);
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
