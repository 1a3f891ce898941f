import type { Redis } from 'ioredis';
import type { Chat } from '../src/domain/types.ts';

/**
 * Per-chat spacing in Redis, shared by every worker process: at most one message per
 * `gapMs` per chat, and `groupPerMinute` per group. Returns 0 when the caller may send now
 * (and takes the slot), else how many ms to wait. BullMQ's limiter only covers the global rate
 * (per-group limits are a BullMQ Pro feature).
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
  n = redis.call('INCR', KEYS[2])
  if n == 1 then redis.call('PEXPIRE', KEYS[2], 60000) end
end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return 0
`;

/** Options of {@link createChatGate}. */
export interface ChatGateOptions {
  prefix: string;
  gapMs?: number;
  groupPerMinute?: number;
}

/** A gate function for {@link DeliveryService.processPart}. */
export function createChatGate(redis: Redis, opts: ChatGateOptions): (chat: Chat) => Promise<number> {
  const gap = opts.gapMs ?? 1000;
  const perMinute = opts.groupPerMinute ?? 20;
  return async (chat) => {
    const isGroup = chat.type === 'group' || chat.type === 'supergroup';
    const res = await redis.eval(
      SCRIPT,
      2,
      `${opts.prefix}:gate:${chat.key}`,
      `${opts.prefix}:gate-min:${chat.key}`,
      String(gap),
      String(isGroup ? perMinute : 0),
    );
    return Number(res) || 0;
  };
}
