import pino, { type Logger } from 'pino';

/** Paths that may hold a secret; pino replaces them before anything is written. */
const REDACT = [
  'token',
  '*.token',
  'config.TELEGRAM_BOT_TOKEN',
  'config.DISCORD_TOKEN',
  'TELEGRAM_BOT_TOKEN',
  'DISCORD_TOKEN',
  'headers.authorization',
  '*.headers.authorization',
];

let secrets: string[] = [];

/** Register secrets (bot tokens) that must never appear in a log line or an error message. */
export function registerSecrets(values: Array<string | undefined>): void {
  secrets = [...new Set([...secrets, ...values.filter((v): v is string => Boolean(v && v.length >= 6))])];
}

/** Replace every registered secret in `text` with `[redacted]`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('[redacted]');
  return out;
}

/** The process logger: JSON lines on stderr, secrets redacted by path and by value. */
export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT, censor: '[redacted]' },
      hooks: {
        streamWrite: (line) => redactSecrets(line),
      },
    },
    pino.destination(2),
  );
}

export type { Logger };
