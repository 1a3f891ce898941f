import type { Locale, Script } from '../domain/types.ts';
import { en, type MessageKey } from './catalog-en.ts';
import { zhHans } from './catalog-zh-hans.ts';
import { zhHant } from './catalog-zh-hant.ts';

export type { MessageKey } from './catalog-en.ts';

/** Locales with a catalogue, in menu order. */
export const LOCALES = ['zh-Hans', 'zh-Hant', 'en'] as const satisfies readonly Locale[];

/** Scripts a chat can read headlines in. */
export const SCRIPTS: readonly Script[] = ['original', 'hans', 'hant', 'hant-hk', 'hant-tw'];

const CATALOGUES: Record<Locale, Record<MessageKey, string>> = { en, 'zh-Hans': zhHans, 'zh-Hant': zhHant };

/** The catalogue of a locale (one per language, shared by every platform). */
export function catalog(locale: Locale): Record<MessageKey, string> {
  return CATALOGUES[locale];
}

/** A UI sentence in `locale` with `{name}` parameters filled in. */
export function t(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = catalog(locale)[key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** True when `key` is a message key (e.g. `error.<code>`). */
export function hasKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

/**
 * A platform's language tag → a catalogue locale: Telegram's `language_code` (`zh-hans`, `zh-hk`,
 * `en`) and Discord's locales (`zh-CN`, `zh-TW`, `en-US`) alike; `fallback` when none fits.
 */
export function localeFromTag(tag: string | undefined | null, fallback: Locale): Locale {
  if (!tag) return fallback;
  const lower = tag.toLowerCase();
  if (/^zh[-_](hant|tw|hk|mo)/.test(lower)) return 'zh-Hant';
  if (lower.startsWith('zh')) return 'zh-Hans';
  if (lower.startsWith('en')) return 'en';
  return fallback;
}

/** The headline script a language tag suggests before a chat chooses one (zh-TW → hant-tw, …). */
export function scriptFromTag(tag: string | undefined | null): Script {
  const lower = (tag ?? '').toLowerCase();
  if (/^zh[-_](tw)/.test(lower)) return 'hant-tw';
  if (/^zh[-_](hk|mo)/.test(lower)) return 'hant-hk';
  if (/^zh[-_]hant/.test(lower)) return 'hant';
  if (lower.startsWith('zh')) return 'hans';
  return 'original';
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

const SCRIPT_WORDS: Record<string, Script> = {
  original: 'original',
  orig: 'original',
  原文: 'original',
  hans: 'hans',
  简体: 'hans',
  簡體: 'hans',
  hant: 'hant',
  繁體: 'hant',
  繁体: 'hant',
  'hant-hk': 'hant-hk',
  'hant-tw': 'hant-tw',
};

/** `hans`, `繁體`, `hant-hk` … as typed by a user → a script; null when unknown. */
export function parseScript(text: string): Script | null {
  return SCRIPT_WORDS[text.trim().toLowerCase()] ?? null;
}

/** Display name of a script in `locale`. */
export function scriptName(locale: Locale, s: Script): string {
  if (s === 'original') return t(locale, 'script.original');
  if (s === 'hans') return t(locale, 'script.hans');
  return `${t(locale, 'script.hant')}${s === 'hant' ? '' : ` (${s.slice(5).toUpperCase()})`}`;
}
