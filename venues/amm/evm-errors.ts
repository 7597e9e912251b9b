// Translates what an EVM node and ethers v6 throw (JSON-RPC errors, reverts with reason strings,
// connection failures) into VenueError codes, and validates values read over RPC before they
// become money.
import { getAddress, isError } from 'ethers';
import { DomainError, ValidationError } from '../../domain/errors';
import { VenueError, isVenueError } from '../venue-errors';

// Revert reasons, most specific first. Router and pair reasons come from the Uniswap contracts,
// ERC20 ones from sim/evm/contracts/MintableToken.sol (other tokens use similar words).
const REVERTS: { re: RegExp; code: VenueError['code']; say: (reason: string) => string }[] = [
  { re: /INSUFFICIENT_OUTPUT_AMOUNT|EXCESSIVE_INPUT_AMOUNT/, code: 'VENUE.INVALID_ORDER', say: (r) => `slippage limit exceeded: the pool would pay less than the minimum (${r})` },
  { re: /INSUFFICIENT_[AB]_AMOUNT/, code: 'VENUE.INVALID_ORDER', say: (r) => `slippage limit exceeded: the pool ratio moved beyond the liquidity minimums (${r})` },
  { re: /: EXPIRED/, code: 'VENUE.INVALID_ORDER', say: (r) => `deadline expired before the transaction was mined (${r})` },
  {
    re: /TRANSFER_FROM_FAILED|TRANSFER_FAILED|insufficient (balance|allowance)|exceeds (balance|allowance)|ds-math-sub-underflow/i,
    code: 'VENUE.INSUFFICIENT_FUNDS',
    say: (r) => `insufficient token balance or allowance (${r})`,
  },
  { re: /INSUFFICIENT_LIQUIDITY|INSUFFICIENT_INPUT_AMOUNT|INSUFFICIENT_AMOUNT|INVALID_PATH|IDENTICAL_ADDRESSES/, code: 'VENUE.INVALID_ORDER', say: (r) => `rejected by the pool: ${r}` },
];

function revertReason(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const o = e as { reason?: unknown; shortMessage?: unknown; message?: unknown; info?: { error?: { message?: unknown } } };
  if (isError(e, 'CALL_EXCEPTION') && typeof o.reason === 'string' && o.reason) return o.reason;
  // Hardhat's JSON-RPC message: "... reverted with reason string 'UniswapV2Router: EXPIRED'".
  const texts = [o.info?.error?.message, o.shortMessage, o.message].filter((t): t is string => typeof t === 'string');
  for (const t of texts) {
    const m = /reverted with reason string '([^']*)'/.exec(t) ?? /execution reverted: ([^"\n]+)/.exec(t);
    if (m?.[1]) return m[1];
  }
  return undefined;
}

function messageOf(e: unknown): string {
  if (e instanceof Error) return (e as { shortMessage?: string }).shortMessage ?? e.message;
  return String(e);
}

/** Any failure of an AMM call → VenueError. `action` says what we were doing ("swap", "fetch balances"). */
export function toVenueError(e: unknown, venue: string, action: string): VenueError {
  if (isVenueError(e)) return e;
  if (e instanceof ValidationError || (e instanceof DomainError && e.code === 'AMM.INVALID_AMOUNT')) {
    return new VenueError('VENUE.INVALID_ORDER', venue, `${action}: ${e.message}`);
  }
  // The exact math refuses what the contracts would revert on, with the same reason strings.
  const reason = e instanceof DomainError && e.code.startsWith('AMM.') ? e.message : revertReason(e);
  if (reason !== undefined || isError(e, 'CALL_EXCEPTION')) {
    const r = reason ?? 'reverted without a reason';
    const rule = REVERTS.find((x) => x.re.test(r));
    if (rule) return new VenueError(rule.code, venue, `${action}: ${rule.say(r)}`);
    return new VenueError('VENUE.INVALID_ORDER', venue, `${action}: transaction reverted (${r})`);
  }
  if (isError(e, 'INSUFFICIENT_FUNDS')) return new VenueError('VENUE.INSUFFICIENT_FUNDS', venue, `${action}: not enough native currency for gas`);
  if (isError(e, 'BAD_DATA')) return new VenueError('VENUE.BAD_RESPONSE', venue, `${action}: the node returned data that does not decode (${messageOf(e)})`);
  if (
    isError(e, 'NETWORK_ERROR') ||
    isError(e, 'TIMEOUT') ||
    isError(e, 'SERVER_ERROR') ||
    isError(e, 'NONCE_EXPIRED') ||
    isError(e, 'REPLACEMENT_UNDERPRICED') ||
    isError(e, 'TRANSACTION_REPLACED') ||
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|fetch failed|socket hang up|request timeout/i.test(messageOf(e))
  ) {
    return new VenueError('VENUE.UNAVAILABLE', venue, `${action}: node unreachable or failing (${messageOf(e)})`);
  }
  return new VenueError('VENUE.BAD_RESPONSE', venue, `${action}: ${messageOf(e)}`);
}

const MAX_UINT = (bits: number) => (1n << BigInt(bits)) - 1n;

/** An unsigned integer read over RPC: a bigint (or safe integer) within uint<bits>, else BAD_RESPONSE. */
export function rpcUint(v: unknown, bits: number, venue: string, field: string): bigint {
  const b = typeof v === 'bigint' ? v : typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : undefined;
  if (b === undefined || b < 0n || b > MAX_UINT(bits)) {
    throw new VenueError('VENUE.BAD_RESPONSE', venue, `${field}: expected a uint${bits}, got ${typeof v === 'bigint' ? v.toString() : JSON.stringify(v)}`);
  }
  return b;
}

/** Token decimals read over RPC: an integer 0..36 (anything else would make our unit math meaningless). */
export function rpcDecimals(v: unknown, venue: string, field: string): number {
  const d = rpcUint(v, 8, venue, field);
  if (d > 36n) throw new VenueError('VENUE.BAD_RESPONSE', venue, `${field}: ${d} decimals is not a token we can price`);
  return Number(d);
}

export function rpcAddress(v: unknown, venue: string, field: string): string {
  try {
    if (typeof v === 'string') return getAddress(v);
  } catch {
    // fall through
  }
  throw new VenueError('VENUE.BAD_RESPONSE', venue, `${field}: expected an address, got ${JSON.stringify(v)}`);
}

export function rpcSymbol(v: unknown, venue: string, field: string): string {
  if (typeof v === 'string' && /^[A-Za-z0-9.\-_]{1,16}$/.test(v)) return v;
  throw new VenueError('VENUE.BAD_RESPONSE', venue, `${field}: expected a short token symbol, got ${JSON.stringify(v)}`);
}
