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

/**
 * How late a send may leave after its slot. The gate spaces slots for 95 % of the platform's
 * rate, which leaves 52.6 ms of any sliding second: a send that never leaves before its slot and
 * at most this late bunches with the sends after it without putting one too many in any second.
 * The rest of the margin, 32.6 ms, is the transport's (the socket, the network, the platform
 * reading its clock): with 30 ms for leaving late, three worker processes sharing two cores with
 * the fake Bot API drew 1 and 12 429s in two runs of three; with 20 ms, none. Counted from the
 * ask, as before, sends could leave early by as much as the gate's answer was read late (30 ms
 * and more in a busy process), so the budget had to be 15 ms, and the paid-broadcast benchmark
 * gave up 6 % of its slots as late (0.80–0.89 of the limit).
 */
export const SEND_LATE_MS = 20;
