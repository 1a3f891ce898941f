import type { Redis } from 'ioredis';
import { SEND_LATE_MS, type SendGate } from '../src/delivery/send-gate.ts';
import type { Chat } from '../src/domain/types.ts';
import { RemoteClock } from './remote-clock.ts';

/**
 * Spacing in Redis, shared by every worker process, taken right before each send: at most one
 * message per `gapMs` per chat, `groupPerMinute` per group, and the platform's global rate as
 * a GCRA slot (one send per 1/rate s). BullMQ's limiter counts job starts in fixed windows,
 * which lets the end of one second and the start of the next exceed the platform's sliding
 * window (429s at steady state in the fan-out benchmark); it stays only as a coarse cap.
 * Per-group limits are a BullMQ Pro feature. Returns 0 when the caller may send now (no global
 * rate; it takes the chat's slots); the global slot reserved for it and Redis's clock when it
 * was reserved, both in µs (it sleeps until the slot, then sends without asking again — callers
 * queueing for the next free slot is what keeps the rate at the limit); a positive number when
 * it must wait that many ms and ask again.
 */
const SCRIPT = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then return ttl end
local limit = tonumber(ARGV[2])
if limit > 0 then
  local n = tonumber(redis.call('GET', KEYS[2]) or '0')
  if n >= limit then
    local t = redis.call('PTTL', KEYS[2])
    if t > 0 then return t end
  end
end
local interval = tonumber(ARGV[3])
local reserved = 0
local slot = nil
local now = 0
if interval > 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local tat = math.max(tonumber(redis.call('GET', KEYS[3]) or '0'), now)
  local wait = tat - now
  if wait > tonumber(ARGV[4]) then return math.ceil(wait / 1000) end
  redis.call('SET', KEYS[3], string.format('%.0f', tat + interval), 'PX', 60000)
  reserved = math.ceil(wait / 1000)
  slot = tat
end
if limit > 0 then
  local n = redis.call('INCR', KEYS[2])
  if n == 1 then redis.call('PEXPIRE', KEYS[2], 60000) end
end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1] + reserved)
if slot then return {slot, now} end
return 0
`;

/**
 * Slots are spaced for 95 % of the configured rate: a send reaches the platform a variable
 * few ms after its slot, and at exactly the limit two late-then-early sends put one message
 * too many in the platform's sliding second (30 steady-state 429s per minute at 30/s).
 */
const PACE_FACTOR = 0.95;

/** Farthest ahead a global slot is reserved; beyond it the job is delayed and asks again. */
const MAX_RESERVE_MS = 1000;

/**
 * How well the gate wants Redis's clock known before it reserves a global slot: half of what a
 * send may leave late, so that a slot is not placed too loosely to be kept.
 */
const CLOCK_WITHIN_MS = SEND_LATE_MS / 2;

/** `TIME` calls one learning of the clock makes at most, each answered a loop turn later. */
const CLOCK_TRIES = 3;

/** The least time between two messages to one chat (Telegram: about one a second in a chat). */
export const CHAT_GAP_MS = 1000;

/** Options of {@link createChatGate}. */
export interface ChatGateOptions {
  prefix: string;
  gapMs?: number;
  groupPerMinute?: number;
  /** Messages per second per platform overall. */
  globalPerSecond?: Partial<Record<Chat['platform'], number>>;
}

/**
 * A gate function for {@link DeliveryService.processPart}: its global slots are placed on this
 * process's clock through what its calls learn of Redis's (see {@link RemoteClock}).
 */
export function createChatGate(redis: Redis, opts: ChatGateOptions): SendGate {
  const clock = new RemoteClock();
  const gap = opts.gapMs ?? CHAT_GAP_MS;
  const perMinute = opts.groupPerMinute ?? 20;
  // EVALSHA after the first call: the script's text is not sent with every message.
  const command = 'newsrelayChatGate';
  if (!(command in redis)) redis.defineCommand(command, { numberOfKeys: 3, lua: SCRIPT });
  const run = (redis as unknown as Record<string, (...args: string[]) => Promise<unknown>>)[command]!.bind(
    redis,
  );
  // A worker that starts on a backlog, or wakes from idle, asks for as many slots at once as it
  // runs jobs: read together, their answers place each slot only to within the whole burst
  // (40–45 ms in the paid-broadcast benchmark), and the first 130 or so slots were given up as
  // late. Reading the clock alone first, once for all of them, places their slots to within a
  // quiet round trip. One learning at a time; after a try that stayed loose, none for a second.
  let learning: Promise<void> | null = null;
  let triedAt = Number.NEGATIVE_INFINITY;
  const learn = async () => {
    for (let i = 0; i < CLOCK_TRIES; i++) {
      const asked = performance.now();
      const [s, us] = await redis.time();
      const answered = performance.now();
      clock.sample(Number(s) * 1000 + Number(us) / 1000, asked, answered);
      if (clock.knownWithin(CLOCK_WITHIN_MS, answered)) return;
    }
    triedAt = performance.now();
  };
  return async (chat) => {
    const isGroup = chat.type === 'group' || chat.type === 'supergroup';
    const rate = opts.globalPerSecond?.[chat.platform] ?? 0;
    if (rate > 0) {
      const now = performance.now();
      if (!clock.knownWithin(CLOCK_WITHIN_MS, now) && now - triedAt > 1000) {
        if (!learning)
          learning = learn().finally(() => {
            learning = null;
          });
        await learning;
      }
    }
    const asked = performance.now();
    const res = await run(
      `${opts.prefix}:gate:${chat.key}`,
      `${opts.prefix}:gate-min:${chat.key}`,
      `${opts.prefix}:gate-global:${chat.platform}`,
      String(gap),
      String(isGroup ? perMinute : 0),
      String(rate > 0 ? Math.round(1_000_000 / (rate * PACE_FACTOR)) : 0),
      String(MAX_RESERVE_MS * 1000),
    );
    if (!Array.isArray(res)) return Number(res) || 0;
    const [slotUs, nowUs] = res.map(Number) as [number, number];
    clock.sample(nowUs / 1000, asked, performance.now());
    return { ...clock.toLocal(slotUs / 1000), at: slotUs / 1000 };
  };
}
