// Human-readable messages for rejected orders (the reason code is what callers branch on).
import { BUY, F_FOK, F_MARKET, type SideCode } from './book-side';
import type { EngineAccount } from './engine-account';
import type { EngineFormat } from './engine-format';
import type { MarketUnits } from './engine-market';
import type { RejectReason } from './engine.types';

export interface RejectContext {
  u: MarketUnits;
  fmt: EngineFormat;
  acct: EngineAccount | undefined;
  side: SideCode;
  ticks: number;
  lots: number;
  flags: number;
  cid: string | undefined;
  book: { bestBid: number; bestAsk: number };
}

export function rejectMessage(reason: RejectReason, c: RejectContext): string {
  const { u, fmt } = c;
  const isBuy = c.side === BUY;
  const isMarket = (c.flags & F_MARKET) !== 0;
  const best = isBuy ? c.book.bestAsk : c.book.bestBid;
  const amount = fmt.amount(c.lots);
  switch (reason) {
    case 'INVALID_PRICE':
      return `price: ${fmt.price(c.ticks)} is out of range for this market`;
    case 'INVALID_AMOUNT':
      return `amount: ${amount} × price is too large for exact integer accounting`;
    case 'MIN_NOTIONAL': {
      const price = isMarket ? best : c.ticks;
      const at = isMarket ? ' (market order valued at the best opposite price)' : '';
      return `price × amount = ${fmt.quoteUnits(price * c.lots * u.tickLotUnits)} ${u.quote} is below minNotional ${fmt.quoteUnits(u.minNotionalUnits)}${at}`;
    }
    case 'DUPLICATE_CLIENT_ORDER_ID':
      return `clientOrderId ${JSON.stringify(c.cid)} is already used by an open order of this account`;
    case 'INSUFFICIENT_FUNDS': {
      if (c.acct === undefined) return 'account has no balance on this market';
      if (!isBuy) return `sell of ${amount} ${u.base} needs ${fmt.baseUnits(c.lots * u.lotUnits)} ${u.base} free, has ${fmt.baseUnits(c.acct.baseFree)}`;
      const need = isMarket ? (c.flags & F_FOK) !== 0 ? 'the whole fill-or-kill walk' : `one lot at the best ask (${fmt.quoteUnits(best * u.tickLotUnits)})` : fmt.quoteUnits(c.ticks * c.lots * u.tickLotUnits);
      return `buy needs ${need} ${u.quote} free, has ${fmt.quoteUnits(c.acct.quoteFree)}`;
    }
    case 'POST_ONLY_WOULD_CROSS':
      return isMarket ? 'a market order cannot be post-only' : `post-only ${isBuy ? 'buy' : 'sell'} at ${fmt.price(c.ticks)} would cross the best ${isBuy ? 'ask' : 'bid'} ${fmt.price(best)}`;
    case 'NO_LIQUIDITY':
      if ((c.flags & F_FOK) !== 0 && best !== 0) return `fill-or-kill ${amount} cannot be filled completely${isMarket ? '' : ` at ${fmt.price(c.ticks)} or better`}`;
      return `no ${isBuy ? 'asks' : 'bids'} to match`;
    case 'UNKNOWN_ACCOUNT':
      return 'unknown account';
  }
}
