// Ballast's liquidity on a Uniswap V2 pool: on a Clock timer, read the pool, ask the pure planner
// (domain/amm) whether to top up or take out the excess, do it, and keep the LP ledger (impermanent
// loss against fees). The same object runs live (the quoting worker, through venues/amm's AmmVenue on
// the chain) and in backtests (sim/backtest/pool-liquidity.ts, the in-process pool in virtual time):
// only the port below differs.
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import { D, fmt } from '../domain/money';
import { fromUnits } from '../domain/token-units';
import type { PoolReserves, PoolSnapshot } from '../domain/uniswap-v2-math';
import {
  EMPTY_LP_LEDGER,
  lpDeposit,
  lpMark,
  lpWithdraw,
  planV2Liquidity,
  v2Depth,
  v2EntryGrowth,
  v2Growth,
  v2Split,
  type LpLedgerState,
  type PoolLiquidityParams,
  type V2Decision,
} from '../domain/amm';
import type { AmmVenue } from '../venues/amm/amm-venue';

/** What the provider needs from a V2 pool (token units throughout). */
export interface V2LiquidityPort {
  readonly poolId: string;
  decimals(): Promise<{ base: number; quote: number }>;
  state(): Promise<{ pool: PoolSnapshot; ownLp: bigint; wallet: PoolReserves }>;
  add(desired: PoolReserves, maxSlippageBps: number): Promise<{ base: bigint; quote: bigint; liquidity: bigint }>;
  remove(liquidity: bigint, maxSlippageBps: number): Promise<{ base: bigint; quote: bigint; liquidity: bigint }>;
}

export interface PoolLiquidityOptions {
  clock: Clock;
  port: V2LiquidityPort;
  /** The venue's minDepthQuote and depthBandPct (decimal strings, as in the config). */
  minDepthQuote: string;
  depthBandPct: string;
  params: PoolLiquidityParams;
  logger?: Logger;
}

/** Quote-currency figures (floats: reporting). */
export interface PoolLiquidityStats {
  poolId: string;
  adds: number;
  removes: number;
  actions: number;
  checks: number;
  /** % of checks at which the pool (after acting) met its depth requirement on both sides. */
  requirementMetPct: number;
  requirementQuote: number;
  /** The pool's ±band depth, binding side, at the last check. */
  poolDepthQuote: number;
  /** Ballast's share of it (its LP share: V2 depth is linear in the reserves). */
  ballastDepthQuote: number;
  lpSharePct: number;
  /** Value of Ballast's position now (principal + fees) at the pool price. */
  capitalQuote: number;
  peakCapitalQuote: number;
  /** Position value averaged over time since the first deposit (what cost per $·day of depth divides by). */
  avgCapitalQuote: number;
  /** Ballast's share of the pool's ±band depth averaged over the same time, quote. */
  avgBallastDepthQuote: number;
  /** Sum of deposits, each valued at its own price. */
  depositedQuote: number;
  /** Sum of withdrawals (principal + fees), each valued at its own price. */
  withdrawnQuote: number;
  /** capitalQuote + withdrawnQuote − depositedQuote: the position's PnL, price moves of what it holds included. */
  pnlQuote: number;
  feesQuote: number;
  impermanentLossQuote: number;
  /** Fees + IL: the position against holding what was deposited. */
  netVsHoldQuote: number;
  errors: number;
}

export class PoolLiquidityProvider {
  private ledger: LpLedgerState = EMPTY_LP_LEDGER;
  /** LP-weighted √k per LP token at entry (V2 fee split). */
  private entryGrowth = '0';
  private lastActionAt: number | undefined;
  private timer?: () => void;
  private busy = false;
  private inFlight: Promise<void> = Promise.resolve();
  private dec?: { base: number; quote: number };
  private readonly s = { adds: 0, removes: 0, checks: 0, met: 0, errors: 0, depth: 0n, share: 0, capital: 0, peak: 0, deposited: 0, withdrawn: 0, fees: 0, il: 0, net: 0 };
  /** Time integrals (value × ms) since the first deposit, for the averages. */
  private readonly tw = { since: undefined as number | undefined, at: 0, capitalMs: 0, depthMs: 0 };
  private readonly requirementUnits: Promise<bigint>;

  constructor(private readonly o: PoolLiquidityOptions) {
    this.requirementUnits = o.port.decimals().then((d) => {
      this.dec = d;
      return BigInt(new D(o.minDepthQuote).times(new D(10).pow(d.quote)).toFixed(0));
    });
  }

  /** The first check now, then every params.checkEveryMs. */
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

  /** One check: read, plan, act, account. Never overlaps itself; errors are counted and logged. */
  async tick(): Promise<V2Decision | undefined> {
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
      this.o.logger?.warn({ venue: this.o.port.poolId, err: e }, 'pool liquidity check failed');
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  stats(): PoolLiquidityStats {
    const s = this.s;
    const q = (x: bigint): number => Number(x) / 10 ** (this.dec?.quote ?? 0);
    return {
      poolId: this.o.port.poolId,
      adds: s.adds,
      removes: s.removes,
      actions: s.adds + s.removes,
      checks: s.checks,
      requirementMetPct: s.checks > 0 ? (100 * s.met) / s.checks : 0,
      requirementQuote: Number(this.o.minDepthQuote),
      poolDepthQuote: q(s.depth),
      ballastDepthQuote: q(s.depth) * s.share,
      lpSharePct: 100 * s.share,
      capitalQuote: s.capital,
      peakCapitalQuote: s.peak,
      ...this.averages(q(s.depth) * s.share),
      depositedQuote: s.deposited,
      withdrawnQuote: s.withdrawn,
      pnlQuote: s.capital + s.withdrawn - s.deposited,
      feesQuote: s.fees,
      impermanentLossQuote: s.il,
      netVsHoldQuote: s.net,
      errors: s.errors,
    };
  }

  /** Averages up to now, holding the last check's values since then. */
  private averages(depthNow: number): { avgCapitalQuote: number; avgBallastDepthQuote: number } {
    const t = this.tw;
    if (t.since === undefined) return { avgCapitalQuote: 0, avgBallastDepthQuote: 0 };
    const now = this.o.clock.now();
    const span = now - t.since;
    if (span <= 0) return { avgCapitalQuote: this.s.capital, avgBallastDepthQuote: depthNow };
    const dt = now - t.at;
    return { avgCapitalQuote: (t.capitalMs + this.s.capital * dt) / span, avgBallastDepthQuote: (t.depthMs + depthNow * dt) / span };
  }

  private schedule(): void {
    this.timer = this.o.clock.schedule(this.o.params.checkEveryMs, () => {
      void this.tick().finally(() => {
        if (this.timer) this.schedule();
      });
    });
  }

  private async check(): Promise<V2Decision> {
    const req = await this.requirementUnits;
    const dec = this.dec!;
    const { port, params } = this.o;
    const before = await port.state();
    const now = this.o.clock.now();
    const d = planV2Liquidity({ ...before, requirementQuote: req, bandPct: this.o.depthBandPct, params, now, ...(this.lastActionAt !== undefined ? { lastActionAt: this.lastActionAt } : {}) });
    const human = (p: PoolSnapshot) => ({ base: fromUnits(p.base, dec.base), quote: fromUnits(p.quote, dec.quote), totalSupply: p.totalSupply.toString() });
    const price = (p: PoolReserves) => fmt(new D(fromUnits(p.quote, dec.quote)).div(fromUnits(p.base, dec.base)), 18);
    if (this.entryGrowth === '0' && before.ownLp > 0n) this.adopt(before, human(before.pool), price(before.pool));
    if (d.kind === 'add') {
      const r = await port.add({ base: d.base, quote: d.quote }, params.maxSlippageBps);
      const amounts = { base: fromUnits(r.base, dec.base), quote: fromUnits(r.quote, dec.quote) };
      // Mints keep √k per LP token, so the growth before the add is the entry growth of the new tokens.
      this.entryGrowth = v2EntryGrowth(before.ownLp.toString(), this.entryGrowth, r.liquidity.toString(), v2Growth(human(before.pool)));
      this.ledger = lpDeposit(this.ledger, amounts);
      this.s.adds++;
      this.s.deposited += new D(amounts.base).times(price(before.pool)).plus(amounts.quote).toNumber();
      this.lastActionAt = now;
      this.o.logger?.info({ venue: port.poolId, base: amounts.base, quote: amounts.quote, urgent: d.urgent, depthBefore: fromUnits(d.depthBefore, dec.quote) }, 'pool liquidity added');
    } else if (d.kind === 'remove') {
      const r = await port.remove(d.liquidity, params.maxSlippageBps);
      const got = { base: fromUnits(r.base, dec.base), quote: fromUnits(r.quote, dec.quote) };
      const k = new D(this.entryGrowth).div(v2Growth(human(before.pool)));
      const principal = { base: fmt(new D(got.base).times(k)), quote: fmt(new D(got.quote).times(k)) };
      const fees = { base: fmt(new D(got.base).minus(principal.base)), quote: fmt(new D(got.quote).minus(principal.quote)) };
      this.ledger = lpWithdraw(this.ledger, { fraction: fmt(new D(r.liquidity.toString()).div(before.ownLp.toString())), principal, fees, price: price(before.pool) });
      this.s.removes++;
      this.s.withdrawn += new D(got.base).times(price(before.pool)).plus(got.quote).toNumber();
      this.lastActionAt = now;
      this.o.logger?.info({ venue: port.poolId, liquidity: r.liquidity.toString(), base: got.base, quote: got.quote }, 'pool liquidity removed');
    }
    const after = d.kind === 'hold' ? before : await port.state();
    this.mark(after, req, price(after.pool), human(after.pool));
    return d;
  }

  /**
   * LP tokens the wallet already held when this provider started (an earlier run): counted as
   * deposited now, at today's value, so IL and fees are measured from here on.
   */
  private adopt(st: { pool: PoolSnapshot; ownLp: bigint }, pool: { base: string; quote: string; totalSupply: string }, price: string): void {
    this.entryGrowth = v2Growth(pool);
    const held = v2Split(st.ownLp.toString(), pool, this.entryGrowth).principal;
    this.ledger = { ...lpDeposit(this.ledger, held), adds: 0 };
    this.s.deposited += new D(held.base).times(price).plus(held.quote).toNumber();
    this.o.logger?.info({ venue: this.o.port.poolId, base: held.base, quote: held.quote }, 'pool liquidity: adopted the LP tokens the wallet already holds');
  }

  private mark(st: { pool: PoolSnapshot; ownLp: bigint }, req: bigint, price: string, pool: { base: string; quote: string; totalSupply: string }): void {
    const s = this.s;
    // Integrate the values held since the previous check before replacing them.
    const now = this.o.clock.now();
    const t = this.tw;
    if (t.since !== undefined) {
      t.capitalMs += s.capital * (now - t.at);
      t.depthMs += (Number(s.depth) / 10 ** (this.dec?.quote ?? 0)) * s.share * (now - t.at);
    } else if (st.ownLp > 0n) t.since = now;
    t.at = now;
    s.checks++;
    s.depth = v2Depth(st.pool, this.o.depthBandPct).minQuote;
    if (s.depth >= req) s.met++;
    s.share = st.pool.totalSupply > 0n ? Number((st.ownLp * 1_000_000_000n) / st.pool.totalSupply) / 1e9 : 0;
    const open = st.ownLp > 0n ? v2Split(st.ownLp.toString(), pool, this.entryGrowth) : { principal: { base: '0', quote: '0' }, fees: { base: '0', quote: '0' } };
    const m = lpMark(this.ledger, open, price);
    s.capital = Number(m.positionValueQuote);
    s.peak = Math.max(s.peak, s.capital);
    s.fees = Number(m.feesQuote);
    s.il = Number(m.ilQuote);
    s.net = Number(m.netQuote);
  }
}

/** The V2 port on the chain: venues/amm's AmmVenue (Router02 add/remove, pair reads, ERC-20 balances). */
export function ammVenueV2Port(venue: AmmVenue): V2LiquidityPort {
  let tokens: Promise<{ base: number; quote: number; lp: number }> | undefined;
  const dec = () => (tokens ??= venue.tokens().then((t) => ({ base: t.base.decimals, quote: t.quote.decimals, lp: t.lpDecimals })));
  return {
    poolId: venue.id,
    decimals: dec,
    state: async () => {
      const [pool, lp, wallet] = await Promise.all([venue.poolState(), venue.lpBalance(), venue.walletUnits()]);
      return { pool: { base: pool.base, quote: pool.quote, totalSupply: pool.totalSupply }, ownLp: lp.liquidityRaw, wallet };
    },
    add: async (desired, maxSlippageBps) => {
      const d = await dec();
      const r = await venue.addLiquidity({ base: fromUnits(desired.base, d.base), quote: fromUnits(desired.quote, d.quote), maxSlippageBps });
      return { base: r.baseRaw, quote: r.quoteRaw, liquidity: r.liquidityRaw };
    },
    remove: async (liquidity, maxSlippageBps) => {
      const d = await dec();
      const r = await venue.removeLiquidity({ liquidity: fromUnits(liquidity, d.lp), maxSlippageBps });
      return { base: r.baseRaw, quote: r.quoteRaw, liquidity: r.liquidityRaw };
    },
  };
}
