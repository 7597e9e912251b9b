// Shared fixtures for the matching-engine tests (not a test file itself).
import type { Clock } from '../../domain/clock';
import { MatchingEngine } from '../../sim/engine/matching-engine';
import type { EngineMarketConfig, EngineOrder, PlaceOrderInput, PlaceResult, Side } from '../../sim/engine/engine.types';

/** tick 0.01, lot 0.1, min notional 1, maker 0.1 %, taker 0.2 %. */
export const MARKET: EngineMarketConfig = {
  symbol: 'BLST/USDT',
  base: 'BLST',
  quote: 'USDT',
  tickSize: '0.01',
  lotSize: '0.1',
  minNotional: '1',
  makerFee: '0.001',
  takerFee: '0.002',
};

export class TestClock implements Clock {
  t = 1_000;
  now(): number {
    return this.t;
  }
  schedule(): () => void {
    return () => undefined;
  }
}

export function setup(over: Partial<EngineMarketConfig> = {}): { e: MatchingEngine; clock: TestClock } {
  const clock = new TestClock();
  return { e: new MatchingEngine({ ...MARKET, ...over }, { clock }), clock };
}

export function bal(e: MatchingEngine, account: string, asset: string): { free: string; locked: string } {
  const b = e.balances(account).find((x) => x.asset === asset);
  return b === undefined ? { free: 'none', locked: 'none' } : { free: b.free, locked: b.locked };
}

/** Places an order that must be accepted; returns the accepted result. */
export function ok(e: MatchingEngine, input: PlaceOrderInput): Extract<PlaceResult, { ok: true }> {
  const r = e.placeOrder(input);
  if (!r.ok) throw new Error(`expected acceptance, got ${r.reason}: ${r.message}`);
  return r;
}

export function limit(e: MatchingEngine, account: string, side: Side, price: string, amount: string, extra: Partial<PlaceOrderInput> = {}): Extract<PlaceResult, { ok: true }> {
  return ok(e, { account, side, type: 'limit', price, amount, ...extra });
}

export function market(e: MatchingEngine, account: string, side: Side, amount: string, extra: Partial<PlaceOrderInput> = {}): Extract<PlaceResult, { ok: true }> {
  return ok(e, { account, side, type: 'market', amount, ...extra });
}

export function statusOf(o: EngineOrder): string {
  return `${o.status} ${o.filled}/${o.amount}`;
}
