/**
 * Conversion between Simplified and Traditional Chinese (opencc-js), for matching and for
 * rendering headlines in the script a chat asked for.
 *
 * Which OpenCC chains are used:
 * - to Simplified (`hans`, and every normalisation): Taiwan variants → OpenCC standard, then
 *   Hong Kong variants → Simplified (`tw→t`, `hk→cn`). Character and variant level only, no
 *   vocabulary changes (軟體 stays 软体), so a query and a title convert the same way whatever
 *   region wrote them.
 * - to Traditional: the input's HK / TW variants are first folded to OpenCC standard
 *   (`tw→t`, `hk→t`), then Simplified → the target:
 *   - `hant`: Taiwan's character standard without vocabulary changes (`cn→tw`: 为→為, 启→啟).
 *     OpenCC's own standard (爲, 啓, 衆) looks dated to readers in both regions, and leaving
 *     vocabulary alone keeps the headline's wording neutral.
 *   - `hant-hk`: Hong Kong characters (`cn→hk`: 峰會→峯會, 線→綫).
 *   - `hant-tw`: Taiwan characters and phrases (`cn→twp`: 软件→軟體, 信息→資訊).
 *
 * Building a converter loads large tries (hundreds of milliseconds for the Simplified →
 * Traditional phrase sets), so each is built on first use and kept for the process.
 */
import { Converter, type ConverterFunction, type OpenCCLocale } from 'opencc-js';
import type { Script } from '../domain/types.ts';
import { memoised } from './memo.ts';

const cache = new Map<string, ConverterFunction>();

function converter(from: OpenCCLocale, to: OpenCCLocale): ConverterFunction {
  const key = `${from}>${to}`;
  let convert = cache.get(key);
  if (convert === undefined) {
    convert = Converter({ from, to });
    cache.set(key, convert);
  }
  return convert;
}

/** Folds Hong Kong and Taiwan variant characters to OpenCC standard Traditional. */
function foldRegionalVariants(text: string): string {
  return converter('hk', 't')(converter('tw', 't')(text));
}

/** Fast path: text without any CJK ideograph needs no conversion. */
const HAN = /\p{Script=Han}/u;

/**
 * Converts text in any mix of Simplified and Traditional (Hong Kong, Taiwan or OpenCC
 * standard) to Simplified: 參觀 → 参观, 臺灣 → 台湾, 紀念碑 → 纪念碑, 著手 → 着手.
 * Simplified text passes through unchanged.
 */
export function toSimplified(text: string): string {
  if (!HAN.test(text)) return text;
  return simplified(text);
}

const simplified = memoised((text) => converter('hk', 'cn')(converter('tw', 't')(text)));
const traditional: Record<Exclude<Script, 'original' | 'hans'>, (text: string) => string> = {
  hant: memoised((text) => converter('cn', 'tw')(foldRegionalVariants(text))),
  'hant-hk': memoised((text) => converter('cn', 'hk')(foldRegionalVariants(text))),
  'hant-tw': memoised((text) => converter('cn', 'twp')(foldRegionalVariants(text))),
};

/**
 * Renders text in the script a reader chose. `original` returns it untouched; see the
 * module comment for what each Traditional variant means.
 */
export function convertScript(text: string, script: Script): string {
  if (script === 'original' || !HAN.test(text)) return text;
  return script === 'hans' ? simplified(text) : traditional[script](text);
}

/**
 * Builds the converters for the given scripts now instead of on first use, e.g. at start-up
 * so that the first render does not pay for it.
 */
export function warmUpConverters(scripts: readonly Script[] = ['hans', 'hant', 'hant-hk', 'hant-tw']): void {
  for (const script of scripts) convertScript('中', script);
}
