import type { ApplicationCommandOptionChoiceData } from 'discord.js';
import type { CommandServices } from '../../src/commands/command-context.ts';
import { normaliseForMatch } from '../../src/text/normalise.ts';
import { LIMITS, truncate } from './embed-limits.ts';

/** Zones offered first: where the readers of Chinese news mostly are. */
const PREFERRED_ZONES = ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Macau', 'Asia/Singapore'];

/** Choices of a `timezone` option: IANA zones containing what was typed (≤ 25). */
export function timezoneChoices(typed: string): Array<{ name: string; value: string }> {
  const lower = typed.toLowerCase();
  const hits = ['UTC', ...Intl.supportedValuesOf('timeZone')].filter((z) => z.toLowerCase().includes(lower));
  hits.sort((a, b) => (PREFERRED_ZONES.includes(b) ? 1 : 0) - (PREFERRED_ZONES.includes(a) ? 1 : 0));
  return hits.slice(0, LIMITS.autocompleteChoices).map((z) => ({ name: z, value: z }));
}

/** Choices of a `source` option: up to 25 sources whose name or id contains what was typed (any script). */
export async function sourceChoices(
  services: Pick<CommandServices, 'headlines'>,
  typed: string,
): Promise<ApplicationCommandOptionChoiceData<string>[]> {
  const wanted = normaliseForMatch(typed);
  const choices: ApplicationCommandOptionChoiceData<string>[] = [];
  for (const [id, name] of await services.headlines.sourceNames()) {
    if (wanted && !normaliseForMatch(name).includes(wanted) && !id.toLowerCase().includes(wanted)) continue;
    choices.push({ name: truncate(name || id, LIMITS.choiceName), value: id });
    if (choices.length >= LIMITS.autocompleteChoices) break;
  }
  return choices;
}
