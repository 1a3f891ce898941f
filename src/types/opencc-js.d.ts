/**
 * Minimal types for opencc-js 1.4: the package ships declarations, but `types/full.d.ts`
 * imports `./core` without an extension, which NodeNext resolution cannot follow, so every
 * export would be `any`. Only what newsrelay uses is declared: `Converter` is the reference the
 * shared-trie chains of script-converter.ts are tested against.
 */
declare module 'opencc-js' {
  /** Regions OpenCC converts between; `t` is OpenCC's standard Traditional. */
  export type OpenCCLocale = 'cn' | 'hk' | 'hkp' | 'tw' | 'twp' | 't' | 'jp';
  export interface ConverterOptions {
    from: OpenCCLocale;
    to: OpenCCLocale;
  }
  export type ConverterFunction = (text: string) => string;
  /** Builds a converter; expensive (loads dictionaries into tries): build once, reuse. */
  export function Converter(options: ConverterOptions): ConverterFunction;
}

/**
 * OpenCC's regional phrase tables as opencc-js ships them: `key value|key value|…`, in
 * OpenCC standard Traditional (TWPhrases: mainland word → Taiwan word, HKPhrases: → Hong Kong).
 */
declare module 'opencc-js/dict/TWPhrases' {
  const table: string;
  export default table;
}
declare module 'opencc-js/dict/HKPhrases' {
  const table: string;
  export default table;
}
