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
 * Traditional phrase sets), so each is built on first use and kept for the process. The chains
 * are OpenCC's own configurations (`s2tw`, `hk2s`, …), assembled here from tries shared by
 * dictionary group: the three Simplified → Traditional chains start with the same two large
 * tries (segmentation and `STPhrases`+`STCharacters`), which opencc-js's `Converter` builds once
 * per chain — 40 MB of heap each, 120 MB in a process that renders all three scripts.
 */
import { type ConverterFunction, type DictGroup, type DictLike, Trie } from 'opencc-js/core';
import { configs } from 'opencc-js/preset';
import type { Script } from '../domain/types.ts';
import { memoised } from './memo.ts';

/** An OpenCC configuration as opencc-js's preset holds it. */
interface ChainConfig {
  normalizationChain?: readonly DictGroup[];
  segmentation?: DictLike | DictGroup;
  conversionChain: readonly DictGroup[];
}

const dictIds = new Map<DictLike, number>();
const tries = new Map<string, Trie>();

/** The trie of a dictionary group, built once per process whichever chains use it. */
function trieOf(group: DictGroup): Trie {
  const key = group
    .map((dict) => {
      let id = dictIds.get(dict);
      if (id === undefined) {
        id = dictIds.size;
        dictIds.set(dict, id);
      }
      return id;
    })
    .join(',');
  let trie = tries.get(key);
  if (trie === undefined) {
    trie = new Trie();
    trie.loadDictGroup(group);
    tries.set(key, trie);
  }
  return trie;
}

const isDictGroup = (x: DictLike | DictGroup): x is DictGroup =>
  Array.isArray(x) && x.every((d) => typeof d === 'string');

/** OpenCC configuration `name` (e.g. `s2tw`) as a function: the same steps as opencc-js's `Converter`. */
function chain(name: string): ConverterFunction {
  const config = (configs as Record<string, ChainConfig>)[name];
  if (!config) throw new Error(`no OpenCC configuration ${name}`);
  const normalize = (config.normalizationChain ?? []).map(trieOf);
  const segmentation =
    config.segmentation === undefined
      ? null
      : trieOf(isDictGroup(config.segmentation) ? config.segmentation : [config.segmentation]);
  const steps = config.conversionChain.map(trieOf);
  return (text) => {
    let s = text;
    for (const t of normalize) s = t.convert(s);
    let segments = segmentation ? segmentation.segment(s) : [s];
    for (const t of steps) segments = segments.map((x) => t.convert(x));
    return segments.join('');
  };
}

const cache = new Map<string, ConverterFunction>();

function converter(name: 'tw2t' | 'hk2t' | 'hk2s' | 's2tw' | 's2hk' | 's2twp'): ConverterFunction {
  let convert = cache.get(name);
  if (convert === undefined) {
    convert = chain(name);
    cache.set(name, convert);
  }
  return convert;
}

/** Folds Hong Kong and Taiwan variant characters to OpenCC standard Traditional. */
function foldRegionalVariants(text: string): string {
  return converter('hk2t')(converter('tw2t')(text));
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

const simplified = memoised((text) => converter('hk2s')(converter('tw2t')(text)));
const traditional: Record<Exclude<Script, 'original' | 'hans'>, (text: string) => string> = {
  hant: memoised((text) => converter('s2tw')(foldRegionalVariants(text))),
  'hant-hk': memoised((text) => converter('s2hk')(foldRegionalVariants(text))),
  'hant-tw': memoised((text) => converter('s2twp')(foldRegionalVariants(text))),
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
