// Deterministic EVM-looking identifiers (addresses, tx hashes) for the simulator: a hash of a seeded
// salt and the object's identity, so the same seed yields the same ids whatever the call order.
import { createHash } from 'node:crypto';

export const EVM_ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
export const TX_HASH_RE = /^0x[0-9a-f]{64}$/;

/** `0x` + `hexChars` lowercase hex digits derived from `parts`. */
export function hexId(hexChars: number, ...parts: (string | number)[]): string {
  let out = '';
  for (let i = 0; out.length < hexChars; i++) {
    out += createHash('sha256').update(`${i}\u0000${parts.join('\u0000')}`).digest('hex');
  }
  return `0x${out.slice(0, hexChars)}`;
}

export const evmAddress = (...parts: (string | number)[]): string => hexId(40, 'address', ...parts);
export const txHash = (...parts: (string | number)[]): string => hexId(64, 'tx', ...parts);
