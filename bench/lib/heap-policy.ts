/**
 * The heap policy of a `serve` process (src/heap-growth.ts), for the harness process: in-process
 * figures are then what a service gets. A benchmark that runs a digest group calls it through
 * `relaxed`, as the digest worker does.
 */
import { loadConfig } from '../../src/config/config.ts';
import { boundHeapGrowth } from '../../src/heap-growth.ts';

export const benchHeap = boundHeapGrowth(loadConfig(process.env).HEAP_GROWTH_PERCENT);
