import type { ChatTarget } from './platform-sender.ts';

/**
 * A global send slot the gate reserved, placed on this process's `performance.now()` clock. The
 * gate keeps its slots on its own clock (Redis's, shared by every worker process), which is known
 * here only to within the round trip of the calls that read it: the slot comes no sooner than
 * `from` and surely by `to`.
 */
export interface SendSlot {
  from: number;
  to: number;
  /** The slot on the gate's clock (epoch ms), for logs and checks. */
  at: number;
}

/**
 * Spacing taken right before each send (per chat, per group, and the platform's global rate):
 * 0 to send now, a number > 0 to wait that many ms and ask again, or a reserved global slot to
 * send at (see {@link SendSlot}).
 */
export type SendGate = (chat: ChatTarget) => Promise<number | SendSlot>;
