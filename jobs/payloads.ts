import { z } from 'zod';

/** Payload of a `fetch` job: the source and the poll slot it belongs to. */
export const fetchPayload = z.object({ sourceId: z.string().min(1), slot: z.number().int().nonnegative() });
export type FetchPayload = z.infer<typeof fetchPayload>;

/** Payload of the `poll` tick (none). */
export const pollPayload = z.object({}).passthrough();

/** Payload of the `retention` job. */
export const retentionPayload = z.object({}).passthrough();
