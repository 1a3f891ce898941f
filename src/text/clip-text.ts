/**
 * Cutting display text to a bounded length without breaking what a reader sees as one character
 * (a user-perceived character: an emoji with modifiers, a flag, a letter with combining marks).
 */

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `s` cut to at most `max` user-perceived characters (grapheme clusters), the last one an
 * ellipsis when cut; `s` itself when it fits. Only the first `max * 8` code units are segmented,
 * so a huge string costs no more than a short one.
 */
export function clipGraphemes(s: string, max: number): string {
  if (max <= 0) return '';
  // A grapheme is at least one code unit: a string this short always fits.
  if (s.length <= max) return s;
  const head = s.length > max * 8 ? s.slice(0, max * 8) : s;
  let count = 0;
  let cut = -1;
  let last = 0;
  for (const { index } of segmenter.segment(head)) {
    if (count === max - 1) cut = index;
    if (count === max) return `${s.slice(0, cut)}…`;
    last = index;
    count++;
  }
  // Fewer than `max + 1` graphemes in the head: whole when the head was the whole string; else
  // the head's last cluster may continue past it, so it is left out.
  if (head.length === s.length) return s;
  return `${s.slice(0, cut < 0 ? last : cut)}…`;
}

/** Text as one line: every run of whitespace (line breaks included) one space, trimmed. */
export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
