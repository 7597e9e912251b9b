// Transfers in and out of engine accounts (deposits, withdrawals, withdrawal holds). Base and quote
// are integer smallest units shared with the matching core; other assets are exact Decimals.
// Manual holds are tracked apart from order holds, so `release`/`consume` can never take a hold that
// belongs to an open order. Errors are DomainErrors with a stable code:
//   ENGINE.INVALID_AMOUNT, ENGINE.UNKNOWN_ACCOUNT, ENGINE.INSUFFICIENT_BALANCE, ENGINE.INSUFFICIENT_HOLD,
//   ENGINE.SUPPLY_LIMIT (an asset's total in the engine would leave the exact integer range).
import { DomainError } from '../../domain/errors';
import { D, fmt, type Dec } from '../../domain/money';
import type { EngineAccount } from './engine-account';
import type { MarketUnits } from './engine-market';
import type { EngineBalance } from './engine.types';
import { formatScaled, parseScaled } from './units';

const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;

type Amount = { kind: 'base'; units: number } | { kind: 'quote'; units: number } | { kind: 'other'; value: Dec };

export class EngineBalances {
  /** Total units of base / quote in the engine (credits − debits − consumes); fills conserve it. */
  private baseSupply = 0;
  private quoteSupply = 0;

  constructor(
    private readonly u: MarketUnits,
    private readonly create: (name: string) => EngineAccount,
    private readonly find: (name: string) => EngineAccount | undefined,
  ) {}

  credit(account: string, asset: string, amount: string): void {
    const a = this.parse('credit', asset, amount);
    if (typeof account !== 'string' || account === '') throw new DomainError('ENGINE.UNKNOWN_ACCOUNT', 'credit: account must be a non-empty string');
    if (a.kind !== 'other') {
      const supply = (a.kind === 'base' ? this.baseSupply : this.quoteSupply) + a.units;
      if (!Number.isSafeInteger(supply)) {
        throw new DomainError('ENGINE.SUPPLY_LIMIT', `credit ${asset}: the engine's total would exceed 2^53 smallest units (use fewer ${asset} decimals)`);
      }
    }
    const acct = this.create(account);
    if (a.kind === 'base') {
      acct.baseFree += a.units;
      this.baseSupply += a.units;
    } else if (a.kind === 'quote') {
      acct.quoteFree += a.units;
      this.quoteSupply += a.units;
    } else {
      const b = acct.otherBalance(asset);
      b.free = b.free.plus(a.value);
    }
  }

  debit(account: string, asset: string, amount: string): void {
    const a = this.parse('debit', asset, amount);
    const acct = this.existing('debit', account);
    this.takeFree('debit', acct, asset, a);
    if (a.kind === 'base') this.baseSupply -= a.units;
    else if (a.kind === 'quote') this.quoteSupply -= a.units;
  }

  hold(account: string, asset: string, amount: string): void {
    const a = this.parse('hold', asset, amount);
    const acct = this.existing('hold', account);
    this.takeFree('hold', acct, asset, a);
    if (a.kind === 'base') {
      acct.baseLocked += a.units;
      acct.baseHeld += a.units;
    } else if (a.kind === 'quote') {
      acct.quoteLocked += a.units;
      acct.quoteHeld += a.units;
    } else {
      const b = acct.otherBalance(asset);
      b.locked = b.locked.plus(a.value);
    }
  }

  release(account: string, asset: string, amount: string): void {
    const a = this.parse('release', asset, amount);
    const acct = this.existing('release', account);
    this.takeHeld('release', acct, asset, a);
    if (a.kind === 'base') acct.baseFree += a.units;
    else if (a.kind === 'quote') acct.quoteFree += a.units;
    else {
      const b = acct.otherBalance(asset);
      b.free = b.free.plus(a.value);
    }
  }

  consume(account: string, asset: string, amount: string): void {
    const a = this.parse('consume', asset, amount);
    const acct = this.existing('consume', account);
    this.takeHeld('consume', acct, asset, a);
    if (a.kind === 'base') this.baseSupply -= a.units;
    else if (a.kind === 'quote') this.quoteSupply -= a.units;
  }

  /** Base and quote first (always listed), then other assets by name. Unknown account: []. */
  balances(account: string): EngineBalance[] {
    const acct = this.find(account);
    if (acct === undefined) return [];
    const u = this.u;
    const out: EngineBalance[] = [
      { asset: u.base, free: formatScaled(acct.baseFree, u.baseDp), locked: formatScaled(acct.baseLocked, u.baseDp) },
      { asset: u.quote, free: formatScaled(acct.quoteFree, u.quoteDp), locked: formatScaled(acct.quoteLocked, u.quoteDp) },
    ];
    for (const asset of [...acct.other.keys()].sort()) {
      const b = acct.other.get(asset)!;
      out.push({ asset, free: fmt(b.free), locked: fmt(b.locked) });
    }
    return out;
  }

  private parse(op: string, asset: string, amount: string): Amount {
    if (typeof asset !== 'string' || asset === '') throw new DomainError('ENGINE.INVALID_AMOUNT', `${op}: asset must be a non-empty string`);
    if (asset === this.u.base || asset === this.u.quote) {
      const dp = asset === this.u.base ? this.u.baseDp : this.u.quoteDp;
      const units = parseScaled(amount, dp);
      if (units === undefined) {
        throw new DomainError('ENGINE.INVALID_AMOUNT', `${op} ${asset}: expected a non-negative decimal with at most ${dp} decimals, got ${JSON.stringify(amount)}`);
      }
      return asset === this.u.base ? { kind: 'base', units } : { kind: 'quote', units };
    }
    if (typeof amount !== 'string' || !PLAIN_DECIMAL.test(amount)) {
      throw new DomainError('ENGINE.INVALID_AMOUNT', `${op} ${asset}: expected a non-negative decimal, got ${JSON.stringify(amount)}`);
    }
    return { kind: 'other', value: new D(amount) };
  }

  private existing(op: string, account: string): EngineAccount {
    const acct = this.find(account);
    if (acct === undefined) throw new DomainError('ENGINE.UNKNOWN_ACCOUNT', `${op}: unknown account ${JSON.stringify(account)}`);
    return acct;
  }

  private takeFree(op: string, acct: EngineAccount, asset: string, a: Amount): void {
    const short = () => new DomainError('ENGINE.INSUFFICIENT_BALANCE', `${op} ${asset}: account ${acct.name} has less free than requested`);
    if (a.kind === 'base') {
      if (acct.baseFree < a.units) throw short();
      acct.baseFree -= a.units;
    } else if (a.kind === 'quote') {
      if (acct.quoteFree < a.units) throw short();
      acct.quoteFree -= a.units;
    } else {
      const b = acct.otherBalance(asset);
      if (b.free.lt(a.value)) throw short();
      b.free = b.free.minus(a.value);
    }
  }

  /** Takes from manual holds only (never from open-order holds). */
  private takeHeld(op: string, acct: EngineAccount, asset: string, a: Amount): void {
    const short = () => new DomainError('ENGINE.INSUFFICIENT_HOLD', `${op} ${asset}: account ${acct.name} holds less than requested`);
    if (a.kind === 'base') {
      if (acct.baseHeld < a.units) throw short();
      acct.baseHeld -= a.units;
      acct.baseLocked -= a.units;
    } else if (a.kind === 'quote') {
      if (acct.quoteHeld < a.units) throw short();
      acct.quoteHeld -= a.units;
      acct.quoteLocked -= a.units;
    } else {
      const b = acct.otherBalance(asset);
      if (b.locked.lt(a.value)) throw short();
      b.locked = b.locked.minus(a.value);
    }
  }
}
