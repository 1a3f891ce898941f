import type { Telegram } from 'telegraf';
import { COMMANDS } from '../../src/commands/news-commands.ts';
import type { Locale } from '../../src/domain/types.ts';
import { t } from '../../src/i18n/i18n.ts';

/**
 * Telegram's `language_code` for setMyCommands is a two-letter ISO 639-1 code, so one Chinese
 * menu exists: `zh` gets zh-Hans (most users' clients report `zh-hans`/`zh`; HK/TW clients also
 * fall under `zh`, and a chat's replies still follow its own locale). Every other language gets
 * the default (English) menu.
 */
export const MENU_LANGUAGES: ReadonlyArray<{ languageCode: string | undefined; locale: Locale }> = [
  { languageCode: undefined, locale: 'en' },
  { languageCode: 'zh', locale: 'zh-Hans' },
];

/** Register the command menu in each language. */
export async function registerCommandMenus(telegram: Telegram): Promise<void> {
  for (const m of MENU_LANGUAGES) {
    const commands = COMMANDS.map((c) => ({
      command: c.name,
      description: t(m.locale, c.key).slice(0, 256),
    }));
    await telegram.setMyCommands(commands, m.languageCode ? { language_code: m.languageCode } : {});
  }
}
