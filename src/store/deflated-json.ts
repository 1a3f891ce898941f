import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { NewsrelayError } from '../errors.ts';

/**
 * A value as deflated JSON, the way large stored values are kept: FerretDB's cost per document
 * grows with its bytes (and more with non-ASCII text), while deflating at level 1 costs a small
 * fraction of what it saves there.
 */
export function deflateJson(value: unknown): Buffer {
  const bytes = deflateRawSync(JSON.stringify(value), { level: 1 });
  // zlib's result is a view of its 16 kB output chunk, which a 1–4 kB digest would hold while
  // its batch is in flight. A copy of the exact size holds only itself.
  return Buffer.from(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/**
 * The value of {@link deflateJson}'s bytes, inflated to at most `maxBytes`; `what` names the
 * stored value in the error when the bytes do not inflate or parse.
 */
export function inflateJson(bytes: Uint8Array, maxBytes: number, what: string): unknown {
  try {
    return JSON.parse(inflateRawSync(bytes, { maxOutputLength: maxBytes }).toString('utf8'));
  } catch (err) {
    throw new NewsrelayError('bad_input', `${what} that does not inflate: ${(err as Error).message}`);
  }
}
