import type { Locale } from '../domain/types.ts';
import { convertScript } from '../text/script-converter.ts';
import { en, type MessageKey } from './catalog-en.ts';
import { zhHans } from './catalog-zh-hans.ts';

export type { MessageKey } from './catalog-en.ts';

/** Where the zh-Hant conversion of zh-Hans would read oddly, or the sentence names the language. */
const zhHantOverrides: Partial<Record<MessageKey, string>> = {
  'lang.set': '介面語言已設為繁體中文。',
  'script.hant': '繁體',
  'script.hans': '简体',
};

let zhHant: Record<MessageKey, string> | null = null;

/** The zh-Hant catalog: zh-Hans through OpenCC (Taiwan characters), plus overrides; built on first use. */
function zhHantCatalog(): Record<MessageKey, string> {
  zhHant ??= Object.fromEntries(
    Object.entries(zhHans).map(([k, v]) => [k, zhHantOverrides[k as MessageKey] ?? convertScript(v, 'hant')]),
  ) as Record<MessageKey, string>;
  return zhHant;
}

/** The catalog of a locale. */
export function catalog(locale: Locale): Record<MessageKey, string> {
  if (locale === 'en') return en;
  return locale === 'zh-Hant' ? zhHantCatalog() : zhHans;
}

/** A UI sentence in `locale` with `{name}` parameters filled in. */
export function t(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = catalog(locale)[key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** True when `key` is a message key (e.g. `error.<code>`). */
export function hasKey(key: string): key is MessageKey {
  return key in en;
}

/** Locales with a catalog. */
export const LOCALES: readonly Locale[] = ['zh-Hans', 'zh-Hant', 'en'];

/**
 * A platform's language tag (`zh-hans`, `zh-TW`, `zh-hk`, `en-US`, …) → a catalog locale;
 * `fallback` when none fits.
 */
export function localeFromTag(tag: string | undefined | null, fallback: Locale): Locale {
  if (!tag) return fallback;
  const lower = tag.toLowerCase();
  if (/^zh[-_](hant|tw|hk|mo)/.test(lower)) return 'zh-Hant';
  if (lower.startsWith('zh')) return 'zh-Hans';
  if (lower.startsWith('en')) return 'en';
  return fallback;
}

/** `zh-hans`, `简体`, `繁體`, `english` … as typed by a user → a locale; null when unknown. */
export function parseLocale(text: string): Locale | null {
  const v = text.trim().toLowerCase();
  if (['zh-hans', 'zh_hans', 'zh-cn', 'hans', 'zh', '简体', '简体中文', '簡體'].includes(v)) return 'zh-Hans';
  if (['zh-hant', 'zh_hant', 'zh-tw', 'zh-hk', 'hant', '繁體', '繁体', '繁體中文'].includes(v))
    return 'zh-Hant';
  if (['en', 'english', 'en-us', 'en-gb'].includes(v)) return 'en';
  return null;
}
