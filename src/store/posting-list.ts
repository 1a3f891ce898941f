/**
 * A growing list of index ordinals in a `Uint32Array`: 4 bytes a posting instead of the 8 of a
 * JavaScript array slot, and one object per term instead of one per posting. Ordinals are pushed
 * in increasing order, so every list is sorted.
 */
export class PostingList {
  /** Small lists start inside the V8 heap object (typed arrays up to 64 bytes need no buffer). */
  private items = new Uint32Array(4);
  length = 0;

  push(n: number): void {
    if (this.length === this.items.length) {
      const grown = new Uint32Array(this.length + (this.length >> 1) + 4);
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.length++] = n;
  }

  /** Postings mapped to their new ordinals; those mapped to -1 are dropped. */
  renumber(newOf: Int32Array): void {
    let w = 0;
    for (let r = 0; r < this.length; r++) {
      const n = newOf[this.items[r]!]!;
      if (n >= 0) this.items[w++] = n;
    }
    this.length = w;
    if (this.items.length > 2 * w + 16) this.items = this.items.slice(0, w + (w >> 1) + 4);
  }

  /** The postings, oldest first (a view: valid until the next push). */
  view(): Uint32Array {
    return this.items.subarray(0, this.length);
  }
}

const EMPTY = new Uint32Array(0);

/** The postings of a possibly absent list. */
export function postingsOf(list: PostingList | undefined): Uint32Array {
  return list ? list.view() : EMPTY;
}

/** The ordinals in both sorted lists. */
export function intersectSorted(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}

/** The ordinals in any of the sorted lists, sorted, each once. */
export function mergeSorted(lists: ReadonlyArray<ArrayLike<number>>): ArrayLike<number> {
  if (lists.length === 1) return lists[0]!;
  const all = new Set<number>();
  for (const l of lists) for (let k = 0; k < l.length; k++) all.add(l[k]!);
  return Uint32Array.from(all).sort();
}
