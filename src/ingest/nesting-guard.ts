/**
 * A linear pre-scan of markup that refuses documents whose nesting would make htmlparser2
 * quadratic. htmlparser2 keeps its open elements in an array it `unshift`s on every start tag
 * and searches with `indexOf` on every end tag, so each tag costs as much as the current depth:
 * 100,000 nested `<div>`s take minutes. The scan follows the same stack (with HTML's void and
 * self-closing elements, and raw-text elements skipped) and counts that cost.
 */
import { NewsrelayError } from '../errors.ts';

/** Open elements a document may have at once. No real feed or page comes near it. */
export const MAX_NESTING_DEPTH = 2000;
/** Stack steps (the depth at each tag, summed) htmlparser2 may take over one document. */
export const MAX_STACK_WORK = 100_000_000;

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);
/** Elements whose start closes an open one of the same name (`<li>` after `<li>`). */
const SELF_IMPLIED = new Set(['p', 'li', 'dt', 'dd', 'option', 'tr', 'td', 'th']);
/** Raw-text elements of HTML and a case-insensitive search for their end tag. */
const RAW_TEXT_END = new Map(
  ['script', 'style', 'textarea', 'title', 'xmp', 'noscript'].map((n) => [n, new RegExp(`</${n}`, 'gi')]),
);

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c > 0x7f;
}

function tooDeep(what: string): NewsrelayError {
  return new NewsrelayError('too_deep', `The document's elements are nested too deeply (${what})`, {
    params: { limit: MAX_NESTING_DEPTH },
  });
}

/**
 * Throws when parsing `text` would nest deeper than {@link MAX_NESTING_DEPTH} or cost htmlparser2
 * more than {@link MAX_STACK_WORK} stack steps.
 *
 * @param text - the decoded document
 * @param html - HTML rules (void, implied and raw-text elements, case-insensitive names); XML otherwise
 * @throws NewsrelayError `too_deep`
 */
export function assertNestingBounded(text: string, html: boolean): void {
  const stack: string[] = [];
  const open = new Map<string, number>();
  let work = 0;
  const pop = (): void => {
    const name = stack.pop()!;
    const n = open.get(name)! - 1;
    if (n === 0) open.delete(name);
    else open.set(name, n);
  };
  let i = 0;
  for (;;) {
    i = text.indexOf('<', i);
    if (i < 0 || i + 1 >= text.length) return;
    const c = text.charCodeAt(i + 1);
    if (c === 0x21 /* ! */) {
      const end = text.startsWith('<!--', i)
        ? text.indexOf('-->', i + 4)
        : text.startsWith('<![CDATA[', i)
          ? text.indexOf(']]>', i + 9)
          : text.indexOf('>', i + 2);
      if (end < 0) return;
      i = end + 1;
      continue;
    }
    if (c === 0x3f /* ? */) {
      const end = text.indexOf('>', i + 2);
      if (end < 0) return;
      i = end + 1;
      continue;
    }
    const closing = c === 0x2f; /* / */
    let j = closing ? i + 2 : i + 1;
    if (!isNameStart(text.charCodeAt(j))) {
      i++;
      continue;
    }
    const start = j;
    while (j < text.length && isNameChar(text.charCodeAt(j))) j++;
    let name = text.slice(start, j);
    if (html) name = name.toLowerCase();
    const gt = text.indexOf('>', j);
    if (gt < 0) return;
    i = gt + 1;
    if (closing) {
      // htmlparser2 searches its stack from the innermost element: an unmatched end tag costs
      // the whole depth, a matched one the elements it closes.
      if (open.has(name)) {
        while (stack.length > 0 && stack[stack.length - 1] !== name) {
          pop();
          work++;
        }
        pop();
        work++;
      } else work += stack.length;
    } else {
      if (text.charCodeAt(gt - 1) === 0x2f /* / */ || (html && VOID.has(name))) continue;
      if (html && SELF_IMPLIED.has(name) && stack[stack.length - 1] === name) pop();
      work += stack.length;
      stack.push(name);
      open.set(name, (open.get(name) ?? 0) + 1);
      if (stack.length > MAX_NESTING_DEPTH) throw tooDeep(`more than ${MAX_NESTING_DEPTH} levels`);
      const rawEnd = html ? RAW_TEXT_END.get(name) : undefined;
      if (rawEnd !== undefined) {
        // Raw text ends only at its own end tag; markup-looking text inside is not markup.
        rawEnd.lastIndex = i;
        const end = rawEnd.exec(text);
        if (end === null) return;
        i = end.index;
      }
    }
    if (work > MAX_STACK_WORK) throw tooDeep('too much work for the parser');
  }
}
