/**
 * A pure function of a string remembered for the most recent inputs: digests for thousands of chats
 * convert and normalise the same few thousand headlines, and OpenCC's conversion is the costliest
 * step of building one (milliseconds per chat). Bounded: at most `max` entries of inputs no
 * longer than `maxLength`; the oldest entry goes first.
 */
export function memoised<T>(fn: (text: string) => T, max = 10_000, maxLength = 1_000): (text: string) => T {
  const memo = new Map<string, T>();
  return (text) => {
    if (text.length > maxLength) return fn(text);
    let out = memo.get(text);
    if (out === undefined) {
      out = fn(text);
      if (memo.size >= max) memo.delete(memo.keys().next().value!);
      memo.set(text, out);
    }
    return out;
  };
}
