/**
 * Child process running the fake Bot API (test/fakes/telegram-bot-api.ts) for the telegram-*
 * benchmarks, so its per-send bookkeeping (rate windows, recorded calls) does not share an event
 * loop with the workers being measured. Driven over IPC by {@link startFakeTelegramProcess}.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFakeTelegram } from '../../test/fakes/telegram-bot-api.ts';

/** What the fake saw: accepted messages per chat id, and every sendMessage call (accepted or 429). */
export interface FakeReport {
  perChat: Record<string, number>;
  sendMessageCalls: number;
  accepted: number;
}

export interface FakeProcess {
  url: string;
  token: string;
  setRateLimit(perSecond: number | null): Promise<void>;
  report(): Promise<FakeReport>;
  close(): Promise<void>;
}

type Msg = { type: string; [k: string]: unknown };

/** Forks this module as the fake's process. */
export async function startFakeTelegramProcess(): Promise<FakeProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<string, (m: Msg) => void>();
  child.on('message', (m: Msg) => {
    const w = waiting.get(m.type);
    waiting.delete(m.type);
    w?.(m);
  });
  const ask = (type: string, extra: Record<string, unknown> = {}): Promise<Msg> =>
    new Promise((resolve, reject) => {
      // One listener per question, removed with its answer: a benchmark asks many.
      const exited = (code: number | null) => reject(new Error(`fake Bot API process exited (${code})`));
      child.once('exit', exited);
      waiting.set(type, (m) => {
        child.off('exit', exited);
        resolve(m);
      });
      if (type !== 'ready') child.send({ type, ...extra });
    });
  const ready = await ask('ready');
  return {
    url: String(ready.url),
    token: String(ready.token),
    setRateLimit: async (perSecond) => void (await ask('rate', { perSecond })),
    report: async () => (await ask('report')).report as FakeReport,
    close: async () => {
      await ask('close');
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
    },
  };
}

async function childMain(): Promise<void> {
  const fake = await startFakeTelegram();
  const send = (m: Msg) => process.send?.(m);
  // The benchmark process went away (killed, crashed): do not outlive it.
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (m: Msg) => {
    if (m.type === 'rate') {
      fake.setRateLimit(typeof m.perSecond === 'number' ? { perSecond: m.perSecond } : null);
      send({ type: 'rate' });
    } else if (m.type === 'report') {
      const perChat: Record<string, number> = {};
      const sent = fake.sentMessages();
      for (const s of sent) perChat[String(s.chat_id)] = (perChat[String(s.chat_id)] ?? 0) + 1;
      const report: FakeReport = {
        perChat,
        sendMessageCalls: fake.calls.filter((c) => c.method === 'sendMessage').length,
        accepted: sent.length,
      };
      send({ type: 'report', report });
    } else if (m.type === 'close') {
      await fake.close();
      send({ type: 'close' });
      process.disconnect();
      process.exit(0);
    }
  });
  send({ type: 'ready', url: fake.url, token: fake.token });
}

if (process.argv.includes('--child')) void childMain();
