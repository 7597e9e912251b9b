// venueRisk's evacuation plan: every free balance of a venue, in chunks no larger than the
// per-transfer cap, as far as the day's remaining cap allows; the rest is reported as blocked (an
// operator can raise the cap or approve later — the policy is not bypassed for emergencies).
// Pure and exact: the treasury activity (live) and the backtest's executor (sim/backtest/sim-executor.ts)
// gather balances, fees and prices their own way and both cut them with this function.
import { D, fmt } from '../money';

export interface EvacuationBalance {
  asset: string;
  /** What can leave now (orders already cancelled). */
  free: string;
  /** The venue's flat withdrawal fee for the asset, charged on top of each chunk ("0" if it publishes none). */
  fee: string;
  /** USD per unit (stablecoins 1); only read for balances larger than one fee. */
  priceUsd?: string;
}

export interface EvacuationChunk {
  asset: string;
  amount: string;
  amountUsd: string;
}

export interface EvacuationPlan {
  chunks: EvacuationChunk[];
  blocked: { asset: string; amount: string; reason: string }[];
}

/** Whether a balance is worth a withdrawal at all: more than one fee must be left to send. */
export const evacuable = (b: Pick<EvacuationBalance, 'free' | 'fee'>): boolean => new D(b.free).gt(b.fee);

export function planEvacuation(balances: readonly EvacuationBalance[], caps: { perTransferUsd: string; dailyUsd: string }, usedTodayUsd: string): EvacuationPlan {
  let dailyLeft = new D(caps.dailyUsd).minus(usedTodayUsd);
  const chunks: EvacuationChunk[] = [];
  const blocked: EvacuationPlan['blocked'] = [];
  for (const b of balances) {
    // The venue charges its fee on top of each withdrawal: what one chunk can carry is the balance
    // less one fee per chunk.
    const fee = new D(b.fee);
    let left = new D(b.free);
    if (!left.gt(fee)) continue;
    if (b.priceUsd === undefined) {
      // The caps cannot value it (no price source): it stays for an operator, never moves unvalued.
      blocked.push({ asset: b.asset, amount: fmt(left), reason: 'no USD price source for the caps' });
      continue;
    }
    const price = new D(b.priceUsd);
    const maxPerChunk = new D(caps.perTransferUsd).div(price).toDecimalPlaces(8, D.ROUND_DOWN);
    while (left.gt(0)) {
      const byDaily = D.max(dailyLeft, 0).div(price).toDecimalPlaces(8, D.ROUND_DOWN);
      const amount = D.min(left.minus(fee), maxPerChunk, byDaily);
      if (!amount.gt(0)) {
        blocked.push({ asset: b.asset, amount: fmt(left), reason: `daily cap ${caps.dailyUsd} USD reached` });
        break;
      }
      const usd = amount.times(price);
      chunks.push({ asset: b.asset, amount: fmt(amount), amountUsd: fmt(usd) });
      dailyLeft = dailyLeft.minus(usd);
      left = left.minus(amount).minus(fee);
      if (!left.gt(fee)) break;
    }
  }
  return { chunks, blocked };
}
