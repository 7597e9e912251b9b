// Ballast's concentrated range on a Uniswap V3 pool: on a Clock timer, read the pool price, ask the
// pure planner (domain/amm planV3Range) whether the range still covers ±band around the price, and
// when it does not (and the cooldown has passed) close the position and mint one around fair value.
// The LP ledger sets impermanent loss against the fees collected at each close.
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import { D, fmt } from '../domain/money';
import { fromUnits } from '../domain/token-units';
import {
  EMPTY_LP_LEDGER,
  liquidityFromRaw,
  lpDeposit,
  lpMark,
  lpWithdraw,
  planV3Range,
  rangeToTicks,
  sqrtPriceX96ToPrice,
  ticksToRange,
  unitsUp,
  v2CapitalForDepth,
  v3Amounts,
  type LpLedgerState,
  type PoolLiquidityParams,
  type V3Decision,
  type V3Market,
  type V3Position,
} from '../domain/amm';
import type { AmmV3Positions } from '../venues/amm/amm-v3-positions';

type Units = { base: bigint; quote: bigint };

/** What the range provider needs from a V3 pool (token units). */
export interface V3RangePort {
  readonly poolId: string;
  market(): Promise<V3Market & { fee: number }>;
  /** The pool's current price, quote per base (human). */
  price(): Promise<number>;
  mint(req: { tickLower: number; tickUpper: number } & Units): Promise<{ tokenId: bigint; liquidity: bigint } & Units>;
  closePosition(tokenId: bigint): Promise<{ principal: Units; fees: Units }>;
}

export interface RangeLiquidityOptions {
  clock: Clock;
  port: V3RangePort;
  minDepthQuote: string;
  depthBandPct: string;
  params: PoolLiquidityParams;
  fairValue?: () => number | undefined;
  logger?: Logger;
}

export interface RangePosition extends V3Position {
  tokenId: bigint;
  tickLower: number;
  tickUpper: number;
}

export interface RangeLiquidityStats {
  poolId: string;
  mints: number;
  recentres: number;
  /** Checks where the price was out of the band but the cooldown held the re-centre back. */
  cooldownHolds: number;
  checks: number;
  /** Capital in the current range at mint (base·price + quote). */
  capitalQuote: number;
  /** A full-range (V2) position's capital for the same depth at the same price: the comparison. */
  v2CapitalQuote: number;
  feesQuote: number;
  impermanentLossQuote: number;
  netVsHoldQuote: number;
  errors: number;
}

export class RangeLiquidityProvider {
  position?: RangePosition;
  private ledger: LpLedgerState = EMPTY_LP_LEDGER;
  private lastActionAt: number | undefined;
  private timer?: () => void;
  private busy = false;
  private inFlight: Promise<void> = Promise.resolve();
  private readonly s = { mints: 0, recentres: 0, cooldownHolds: 0, checks: 0, errors: 0, capital: 0, v2Capital: 0, fees: 0, il: 0, net: 0 };

  constructor(private readonly o: RangeLiquidityOptions) {}

  async start(): Promise<void> {
    await this.tick();
    this.schedule();
  }

  /** No further checks; resolves once a check in flight has finished (its transactions included). */
  async stop(): Promise<void> {
    this.timer?.();
    this.timer = undefined;
    await this.inFlight;
  }

  async tick(): Promise<V3Decision | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    const run = this.check();
    this.inFlight = run.then(
      () => undefined,
      () => undefined,
    );
    try {
      return await run;
    } catch (e) {
      this.s.errors++;
      this.o.logger?.warn({ venue: this.o.port.poolId, err: e }, 'pool range check failed');
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  stats(): RangeLiquidityStats {
    const s = this.s;
    return {
      poolId: this.o.port.poolId,
      mints: s.mints,
      recentres: s.recentres,
      cooldownHolds: s.cooldownHolds,
      checks: s.checks,
      capitalQuote: s.capital,
      v2CapitalQuote: s.v2Capital,
      feesQuote: s.fees,
      impermanentLossQuote: s.il,
      netVsHoldQuote: s.net,
      errors: s.errors,
    };
  }

  private schedule(): void {
    this.timer = this.o.clock.schedule(this.o.params.checkEveryMs, () => {
      void this.tick().finally(() => {
        if (this.timer) this.schedule();
      });
    });
  }

  private async check(): Promise<V3Decision> {
    const { port, params } = this.o;
    const m = await port.market();
    const req = { requirementQuote: Number(this.o.minDepthQuote), band: Number(this.o.depthBandPct) / 100, fee: m.fee };
    const price = await port.price();
    const now = this.o.clock.now();
    const fair = this.o.fairValue?.();
    const d = planV3Range({ price, now, req, params, ...(fair !== undefined ? { fair } : {}), ...(this.position ? { position: this.position } : {}), ...(this.lastActionAt !== undefined ? { lastActionAt: this.lastActionAt } : {}) });
    this.s.checks++;
    if (d.kind === 'hold') {
      if (d.reason === 'cooldown') this.s.cooldownHolds++;
      this.mark(price, m);
      return d;
    }
    if (this.position) {
      const closed = await port.closePosition(this.position.tokenId);
      const h = (u: Units) => ({ base: fromUnits(u.base, m.baseDecimals), quote: fromUnits(u.quote, m.quoteDecimals) });
      this.ledger = lpWithdraw(this.ledger, { fraction: '1', principal: h(closed.principal), fees: h(closed.fees), price: fmt(new D(price.toPrecision(15))) });
      this.position = undefined;
    }
    // Ticks widen the range to the spacing; amounts are what that range needs for L at this price,
    // plus 1 % so rounding never leaves L short (the contract pulls only what L needs).
    const ticks = rangeToTicks(d.sizing.lower, d.sizing.upper, m);
    const range = ticksToRange(ticks.tickLower, ticks.tickUpper, m);
    const want = v3Amounts(d.sizing.liquidity * 1.01, price, range.lower, range.upper);
    const minted = await port.mint({ ...ticks, base: unitsUp(want.base, m.baseDecimals), quote: unitsUp(want.quote, m.quoteDecimals) });
    const got = { base: fromUnits(minted.base, m.baseDecimals), quote: fromUnits(minted.quote, m.quoteDecimals) };
    this.ledger = lpDeposit(this.ledger, got);
    this.position = { ...range, centre: d.sizing.centre, liquidity: liquidityFromRaw(minted.liquidity, m), openedAt: now, tokenId: minted.tokenId, ...ticks };
    this.lastActionAt = now;
    if (d.kind === 'mint') this.s.mints++;
    else this.s.recentres++;
    this.s.capital = new D(got.base).times(price.toPrecision(15)).plus(got.quote).toNumber();
    this.s.v2Capital = v2CapitalForDepth(price, req, params.targetMargin).capitalQuote;
    this.o.logger?.info({ venue: port.poolId, kind: d.kind, tickLower: ticks.tickLower, tickUpper: ticks.tickUpper, base: got.base, quote: got.quote, price }, 'pool range minted');
    this.mark(price, m);
    return d;
  }

  /** IL of the open range at `price` (its principal from L and the range; uncollected fees count at the next close). */
  private mark(price: number, m: V3Market): void {
    const p = this.position;
    const held = p ? v3Amounts(p.liquidity, price, p.lower, p.upper) : { base: 0, quote: 0 };
    const dec = (x: number, dp: number) => fmt(new D(x.toPrecision(15)), dp);
    const principal = { base: dec(held.base, m.baseDecimals), quote: dec(held.quote, m.quoteDecimals) };
    const mk = lpMark(this.ledger, { principal, fees: { base: '0', quote: '0' } }, fmt(new D(price.toPrecision(15))));
    this.s.fees = Number(mk.feesQuote);
    this.s.il = Number(mk.ilQuote);
    this.s.net = Number(mk.netQuote);
  }
}

/** The V3 port on the chain: venues/amm's AmmV3Positions (NonfungiblePositionManager, pool slot0). */
export function ammV3Port(v: AmmV3Positions): V3RangePort {
  const market = async () => {
    const i = await v.info();
    return { baseDecimals: i.baseDecimals, quoteDecimals: i.quoteDecimals, baseIsToken0: i.baseIsToken0, tickSpacing: i.tickSpacing, fee: i.fee / 1_000_000 };
  };
  return {
    poolId: v.id,
    market,
    price: async () => sqrtPriceX96ToPrice((await v.slot0()).sqrtPriceX96, await market()),
    mint: (req) => v.mint(req),
    closePosition: (tokenId) => v.closePosition(tokenId),
  };
}
