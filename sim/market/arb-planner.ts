// Cross-venue arbitrage plans, CEX↔CEX and CEX↔AMM. Sizing is float model math; the decision is
// exact: a plan is returned only if, against the exact books and pool reserves at this instant,
// both legs' fees, the AMM's exact V2 output (0.3 % fee and price impact), gas and the agent's
// inventory, it makes at least `minProfitQuote`. Any base a CEX fee takes is valued at the worst
// price paid, so the proof is conservative.
import { D, fmt, type Dec } from '../../domain/money';
import { getAmountIn, getAmountOut } from '../../domain/uniswap-v2-math';
import type { ArbitrageAction, ExactAmmState, ExactBookLevel, ExactCexState } from './agent.types';
import { commonStep } from './grid';

export interface ArbPlanParams {
  minProfitQuote: string;
  /** Gas of one AMM swap, in quote (ETH at a fixed price; not debited from the wallet). */
  gasQuote: string;
  /** Cap on one plan's notional, quote (float sizing). */
  maxTradeQuote: number;
  /** Halvings tried when the float size does not prove profitable. */
  maxHalvings?: number;
}

const V2_FEE = 0.997;

interface Walk {
  notional: Dec;
  worst: string;
}

/** Exact notional of taking `amount` from the levels (best first); undefined if they are too thin. */
export function walkLevels(levels: readonly ExactBookLevel[], amount: Dec): Walk | undefined {
  let left = amount;
  let notional = new D(0);
  for (const l of levels) {
    if (left.lte(0)) break;
    const take = D.min(left, l.amount);
    notional = notional.plus(take.times(l.price));
    left = left.minus(take);
    if (left.lte(0)) return { notional, worst: l.price };
  }
  return undefined;
}

/** Rounds `x` down to a multiple of `step` (exact). */
function floorTo(x: Dec, step: string): Dec {
  return x.div(step).floor().times(step);
}

function sizes(first: Dec, step: string, halvings: number): Dec[] {
  const out: Dec[] = [];
  let x = floorTo(first, step);
  for (let i = 0; i <= halvings && x.gt(0); i++) {
    if (!out.some((y) => y.eq(x))) out.push(x);
    x = floorTo(x.div(2), step);
  }
  return out;
}

const num = (s: string): number => Number(s);

/** Float notional of taking `amount` from the levels (what is there, if they are too thin). */
function floatWalk(levels: readonly ExactBookLevel[], amount: number): number {
  let left = amount;
  let notional = 0;
  for (const l of levels) {
    if (left <= 0) break;
    const take = Math.min(left, num(l.amount));
    notional += take * num(l.price);
    left -= take;
  }
  return notional;
}

/**
 * The float estimate decides whether exact verification is worth running: the float size is (about)
 * the most profitable one, so an estimate below the minimum (with slack for float error) means no
 * plan can pass. Skipping only ever forgoes a trade; the exact check alone decides to trade.
 */
function hopeless(estimate: number, notional: number, minProfit: string): boolean {
  return estimate < num(minProfit) - 1e-9 * (1 + notional);
}

/** Buy base on `buy`'s asks, sell it on `sell`'s bids. */
export function planCexCex(buy: ExactCexState, sell: ExactCexState, p: ArbPlanParams): ArbitrageAction | undefined {
  const fA = num(buy.takerFee);
  const fB = num(sell.takerFee);
  // Float sizing: walk both ladders while the marginal unit is profitable.
  let i = 0;
  let j = 0;
  let remA = num(buy.asks[0]?.amount ?? '0');
  let remB = num(sell.bids[0]?.amount ?? '0');
  let x = 0;
  let cost = 0;
  let proceeds = 0;
  let lastAsk = 0;
  const budgetQuote = Math.min(num(buy.freeQuote), p.maxTradeQuote);
  const budgetBase = num(sell.freeBase);
  while (i < buy.asks.length && j < sell.bids.length) {
    const pa = num(buy.asks[i]!.price);
    const pb = num(sell.bids[j]!.price);
    if (pb * (1 - fB) <= pa * (1 + fA)) break;
    const take = Math.min(remA, remB, budgetBase - x, (budgetQuote - cost) / pa);
    if (!(take > 0)) break;
    x += take;
    cost += take * pa;
    proceeds += take * pb;
    lastAsk = pa;
    remA -= take;
    remB -= take;
    if (remA <= 1e-12 && ++i < buy.asks.length) remA = num(buy.asks[i]!.amount);
    if (remB <= 1e-12 && ++j < sell.bids.length) remB = num(sell.bids[j]!.amount);
  }
  if (!(x > 0) || hopeless(proceeds * (1 - fB) - cost - x * fA * lastAsk, cost, p.minProfitQuote)) return undefined;
  const step = commonStep(buy.lotSize, sell.lotSize);
  const minProfit = new D(p.minProfitQuote);
  for (const amount of sizes(new D(x.toPrecision(15)), step, p.maxHalvings ?? 8)) {
    const b = walkLevels(buy.asks, amount);
    const s = walkLevels(sell.bids, amount);
    if (!b || !s) continue;
    if (b.notional.gt(buy.freeQuote) || amount.gt(sell.freeBase)) continue;
    if (amount.times(b.worst).lt(buy.minNotional) || amount.times(s.worst).lt(sell.minNotional)) continue;
    // Quote received after B's fee, minus quote paid on A, minus the base A's fee keeps.
    const profit = s.notional
      .times(new D(1).minus(sell.takerFee))
      .minus(b.notional)
      .minus(amount.times(buy.takerFee).times(b.worst));
    if (profit.gte(minProfit)) {
      return {
        type: 'arbitrage',
        legs: [
          { type: 'exactOrder', venue: buy.id, side: 'buy', price: b.worst, amount: fmt(amount) },
          { type: 'exactOrder', venue: sell.id, side: 'sell', price: s.worst, amount: fmt(amount) },
        ],
        expectedProfitQuote: fmt(profit),
        markPrice: b.worst,
        gasQuote: '0',
      };
    }
  }
  return undefined;
}

const pow10 = (n: number): Dec => new D(10).pow(n);
const toRaw = (x: Dec, decimals: number): bigint => BigInt(x.times(pow10(decimals)).floor().toFixed(0));
const fromRaw = (x: bigint, decimals: number): Dec => new D(x.toString()).div(pow10(decimals));

/** Buy base from the pool, sell it on the CEX's bids. */
export function planAmmToCex(amm: ExactAmmState, cex: ExactCexState, p: ArbPlanParams): ArbitrageAction | undefined {
  const f = num(cex.takerFee);
  const xr = Number(amm.reserveBase) / 10 ** amm.baseDecimals;
  const yr = Number(amm.reserveQuote) / 10 ** amm.quoteDecimals;
  let cum = 0;
  let x = 0;
  for (const l of cex.bids) {
    const pb = num(l.price) * (1 - f);
    // Base bought from the pool until its marginal cost reaches this bid: x − sqrt(x·y / (0.997·pb)).
    const dMax = xr - Math.sqrt((xr * yr) / (V2_FEE * pb));
    if (dMax <= cum) break;
    cum += num(l.amount);
    x = Math.min(cum, dMax);
  }
  const walletQuote = Number(amm.walletQuote) / 10 ** amm.quoteDecimals;
  const maxByWallet = walletQuote > 0 ? (V2_FEE * xr * walletQuote) / (yr + V2_FEE * walletQuote) : 0;
  x = Math.min(x, num(cex.freeBase), maxByWallet, p.maxTradeQuote / num(cex.bids[0]?.price ?? 'Infinity'));
  if (!(x > 0)) return undefined;
  const proceeds = floatWalk(cex.bids, x) * (1 - f);
  if (hopeless(proceeds - (yr * x) / (V2_FEE * (xr - x)) - num(p.gasQuote), proceeds, p.minProfitQuote)) return undefined;
  const minProfit = new D(p.minProfitQuote);
  for (const amount of sizes(new D(x.toPrecision(15)), cex.lotSize, p.maxHalvings ?? 8)) {
    const s = walkLevels(cex.bids, amount);
    if (!s || amount.gt(cex.freeBase) || amount.times(s.worst).lt(cex.minNotional)) continue;
    const outRaw = toRaw(amount, amm.baseDecimals);
    if (outRaw <= 0n || outRaw >= amm.reserveBase) continue;
    const inRaw = getAmountIn(outRaw, amm.reserveQuote, amm.reserveBase);
    if (inRaw > amm.walletQuote) continue;
    const profit = s.notional
      .times(new D(1).minus(cex.takerFee))
      .minus(fromRaw(inRaw, amm.quoteDecimals))
      .minus(p.gasQuote);
    if (profit.gte(minProfit)) {
      return {
        type: 'arbitrage',
        legs: [
          { type: 'exactOrder', venue: cex.id, side: 'sell', price: s.worst, amount: fmt(amount) },
          { type: 'swap', venue: amm.id, side: 'buy', amountIn: inRaw, minAmountOut: outRaw },
        ],
        expectedProfitQuote: fmt(profit),
        markPrice: s.worst,
        gasQuote: fmt(p.gasQuote),
      };
    }
  }
  return undefined;
}

/** Buy base on the CEX's asks, sell what arrives (after the CEX fee) into the pool. */
export function planCexToAmm(cex: ExactCexState, amm: ExactAmmState, p: ArbPlanParams): ArbitrageAction | undefined {
  const f = num(cex.takerFee);
  const xr = Number(amm.reserveBase) / 10 ** amm.baseDecimals;
  const yr = Number(amm.reserveQuote) / 10 ** amm.quoteDecimals;
  let cum = 0;
  let x = 0;
  for (const l of cex.asks) {
    const pa = num(l.price);
    // Pool base input at which its marginal output falls to pa / (1 − f) per unit bought on the CEX.
    const dIn = (Math.sqrt((V2_FEE * xr * yr * (1 - f)) / pa) - xr) / V2_FEE;
    const dMax = dIn / (1 - f);
    if (dMax <= cum) break;
    cum += num(l.amount);
    x = Math.min(cum, dMax);
  }
  const walletBase = Number(amm.walletBase) / 10 ** amm.baseDecimals;
  const bestAsk = num(cex.asks[0]?.price ?? 'Infinity');
  x = Math.min(x, walletBase / (1 - f), Math.min(num(cex.freeQuote), p.maxTradeQuote) / bestAsk);
  if (!(x > 0)) return undefined;
  const cost = floatWalk(cex.asks, x);
  const sold = x * (1 - f);
  if (hopeless((V2_FEE * sold * yr) / (xr + V2_FEE * sold) - cost - num(p.gasQuote), cost, p.minProfitQuote)) return undefined;
  const minProfit = new D(p.minProfitQuote);
  for (const amount of sizes(new D(x.toPrecision(15)), cex.lotSize, p.maxHalvings ?? 8)) {
    const b = walkLevels(cex.asks, amount);
    if (!b || b.notional.gt(cex.freeQuote) || amount.times(b.worst).lt(cex.minNotional)) continue;
    // Sell exactly the base the CEX leg delivers (rounded down to a token unit): base stays neutral.
    const inRaw = toRaw(amount.times(new D(1).minus(cex.takerFee)), amm.baseDecimals);
    if (inRaw <= 0n || inRaw > amm.walletBase) continue;
    const outRaw = getAmountOut(inRaw, amm.reserveBase, amm.reserveQuote);
    if (outRaw <= 0n) continue;
    const profit = fromRaw(outRaw, amm.quoteDecimals).minus(b.notional).minus(p.gasQuote);
    if (profit.gte(minProfit)) {
      return {
        type: 'arbitrage',
        legs: [
          { type: 'exactOrder', venue: cex.id, side: 'buy', price: b.worst, amount: fmt(amount) },
          { type: 'swap', venue: amm.id, side: 'sell', amountIn: inRaw, minAmountOut: outRaw },
        ],
        expectedProfitQuote: fmt(profit),
        markPrice: b.worst,
        gasQuote: fmt(p.gasQuote),
      };
    }
  }
  return undefined;
}
