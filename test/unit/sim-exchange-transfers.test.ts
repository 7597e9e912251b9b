import { D } from '../../domain/money';
import { mulberry32 } from '../../domain/rng';
import { isVenueError } from '../../venues/venue-errors';
import { VirtualClock } from '../../hotpath/clocks';
import { presetExchangeConfig } from '../../sim/exchange/exchange-presets';
import { EVM_ADDRESS_RE, TX_HASH_RE, evmAddress } from '../../sim/exchange/hex-ids';
import { SimExchange } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';

// Round numbers so every timestamp below can be checked by hand:
// latency 10 ms each way, network inclusion 1 s, blocks 12 s, 3 confirmations, processing 30 s.
const WITHDRAWALS = { fees: { BLST: '2', USDT: '1' }, minConfirmations: 3, blockTimeMs: 12_000, processingDelayMs: 30_000 };

function world(seed = 9) {
  const clock = new VirtualClock();
  const network = new TransferNetwork({ delayMs: { min: 1000, max: 1000 } }, { clock, rng: mulberry32(seed) });
  const make = (id: string, s: number) =>
    new SimExchange(presetExchangeConfig(id, { latencyMs: { min: 10, max: 10 }, withdrawals: WITHDRAWALS }), { clock, rng: mulberry32(s), network });
  const a = make('alpha', seed + 1);
  const b = make('bravo', seed + 2);
  return { clock, network, a, b };
}

const balance = (ex: SimExchange, account: string, asset: string) => {
  const b = ex.engine.balances(account).find((x) => x.asset === asset);
  return { free: b?.free ?? '0', locked: b?.locked ?? '0' };
};

describe('SimExchange deposits', () => {
  it('gives each account and asset a deterministic EVM address', async () => {
    const w1 = world();
    const w2 = world();
    const addr = await w1.clock.resolve(w1.a.depositAddress('mm', 'BLST'));
    expect(addr).toMatch(EVM_ADDRESS_RE);
    expect(await w1.clock.resolve(w1.a.depositAddress('mm', 'BLST'))).toBe(addr);
    expect(await w1.clock.resolve(w1.a.depositAddress('mm', 'USDT'))).not.toBe(addr);
    expect(await w1.clock.resolve(w1.a.depositAddress('ops', 'BLST'))).not.toBe(addr);
    expect(await w1.clock.resolve(w1.b.depositAddress('mm', 'BLST'))).not.toBe(addr);
    // Same seed, another run, another call order: the same address.
    await w2.clock.resolve(w2.a.depositAddress('ops', 'USDT'));
    expect(await w2.clock.resolve(w2.a.depositAddress('mm', 'BLST'))).toBe(addr);
    expect(w1.network.owner(addr)).toEqual({ kind: 'exchange', exchangeId: 'alpha', account: 'mm' });
  });

  it('credits a deposit only after minConfirmations blocks: pending → confirming → ok', async () => {
    const { clock, network, a } = world();
    const user = evmAddress('user');
    network.mintExternal(user, 'BLST', '500');
    const addr = await clock.resolve(a.depositAddress('mm', 'BLST')); // t = 20
    const tx = network.sendFromExternal(user, addr, 'BLST', '250');
    const seen: [number, string, number][] = [];
    const sample = (): void => {
      const [d] = a.depositRecords('mm'); // admin view: no request, no latency
      if (d) seen.push([clock.now(), d.status, d.confirmations]);
    };
    for (const t of [1019, 1020, 13_019, 13_020, 25_020, 37_019, 37_020]) {
      clock.runUntil(t);
      sample();
    }
    expect(seen).toEqual([
      // Included at 20 + 1000; then one confirmation every 12 s.
      [1020, 'pending', 0],
      [13_019, 'pending', 0],
      [13_020, 'confirming', 1],
      [25_020, 'confirming', 2],
      [37_019, 'confirming', 2],
      [37_020, 'ok', 3],
    ]);
    expect(balance(a, 'mm', 'BLST').free).toBe('250');
    const [dep] = await clock.resolve(a.deposits('mm', 'BLST'));
    expect(dep).toMatchObject({ type: 'deposit', asset: 'BLST', amount: '250', fee: '0', address: addr, network: 'ERC20', txHash: tx.txHash, status: 'ok', confirmations: 3, timestamp: 1020 });
    expect(await clock.resolve(a.deposits('mm', 'USDT'))).toEqual([]);
    expect(await clock.resolve(a.deposits('mm', undefined, 1021))).toEqual([]);
  });
});

describe('SimExchange withdrawals', () => {
  const cold = evmAddress('cold-wallet');
  const req = (over: Partial<{ asset: string; amount: string; address: string; network: string; idempotencyKey: string }> = {}) => ({
    asset: 'USDT',
    amount: '400',
    address: cold,
    network: 'ERC20',
    idempotencyKey: 'transfer:1:withdraw',
    ...over,
  });

  it('holds amount + fee, broadcasts after processing with a tx hash, confirms, consumes the fee', async () => {
    const { clock, network, a } = world();
    network.registerExternalWallet(cold, 'cold');
    a.fund('mm', 'USDT', '1000');
    const w = await clock.resolve(a.withdraw('mm', req())); // executed at t = 10
    expect(w).toMatchObject({ type: 'withdrawal', asset: 'USDT', amount: '400', fee: '1', status: 'pending', confirmations: 0, timestamp: 10, idempotencyKey: 'transfer:1:withdraw' });
    expect(w.txHash).toBeUndefined();
    expect(balance(a, 'mm', 'USDT')).toEqual({ free: '599', locked: '401' });

    clock.runUntil(30_009);
    expect(a.withdrawalRecords('mm')[0]!.status).toBe('pending');
    clock.runUntil(30_010); // processed and broadcast
    const sent = a.withdrawalRecords('mm')[0]!;
    expect(sent.status).toBe('confirming');
    expect(sent.txHash).toMatch(TX_HASH_RE);
    expect(balance(a, 'mm', 'USDT')).toEqual({ free: '599', locked: '0' });
    expect(a.feesCollected('USDT')).toBe('1');
    expect(network.inFlight('USDT')).toBe('400');

    clock.runUntil(31_010); // included on chain: the cold wallet has it
    expect(network.externalBalance(cold, 'USDT')).toBe('400');
    expect(network.externalLedger().map((e) => [e.txHash, e.label, e.amount])).toEqual([[sent.txHash, 'cold', '400']]);

    clock.runUntil(30_010 + 3 * 12_000);
    const done = (await clock.resolve(a.withdrawals('mm')))[0]!;
    expect(done).toMatchObject({ status: 'ok', confirmations: 3, txHash: sent.txHash });
  });

  it('is idempotent: a second call with the same key returns the same record and moves nothing', async () => {
    const { clock, a } = world();
    a.fund('mm', 'USDT', '1000');
    const first = await clock.resolve(a.withdraw('mm', req()));
    const again = await clock.resolve(a.withdraw('mm', req()));
    expect(again).toEqual(first);
    expect(balance(a, 'mm', 'USDT')).toEqual({ free: '599', locked: '401' });
    clock.runAll();
    const third = await clock.resolve(a.withdraw('mm', req({ amount: '1' })));
    expect(third.id).toBe(first.id);
    expect(third.status).toBe('ok');
    expect(third.amount).toBe('400');
    expect(await clock.resolve(a.withdrawals('mm'))).toHaveLength(1);
    expect(balance(a, 'mm', 'USDT')).toEqual({ free: '599', locked: '0' });
    // The key is per account: another account's identical key is a new withdrawal.
    a.fund('ops', 'USDT', '500');
    const other = await clock.resolve(a.withdraw('ops', req()));
    expect(other.id).not.toBe(first.id);
  });

  it('refuses what it cannot do with typed errors, moving nothing', async () => {
    const { clock, a } = world();
    a.fund('mm', 'USDT', '100');
    const fail = (r: ReturnType<typeof req>) => clock.resolve(a.withdraw('mm', r)).then(
      () => 'accepted',
      (e: unknown) => (isVenueError(e) ? `${e.code} ${e.message}` : String(e)),
    );
    // 100 free: 100 + fee 1 is too much.
    expect(await fail(req({ amount: '100' }))).toMatch(/^VENUE.INSUFFICIENT_FUNDS .*101 USDT needed/);
    expect(await fail(req({ address: '0x1234', idempotencyKey: 'k2' }))).toMatch(/^VENUE.INVALID_ORDER .*not a 0x-prefixed 20-byte hex address/);
    expect(await fail(req({ address: `${cold}00`, idempotencyKey: 'k3' }))).toMatch(/^VENUE.INVALID_ORDER/);
    expect(await fail(req({ amount: '-5', idempotencyKey: 'k4' }))).toMatch(/^VENUE.INVALID_ORDER .*amount/);
    expect(await fail(req({ asset: 'DOGE', idempotencyKey: 'k5' }))).toMatch(/^VENUE.INVALID_ORDER .*DOGE/);
    expect(await fail(req({ network: 'TRC20', idempotencyKey: 'k6' }))).toMatch(/^VENUE.NOT_SUPPORTED/);
    // Finer than the asset's smallest unit (1e-8): the engine refuses it, the client sees a typed error.
    expect(await fail(req({ amount: '0.000000001', idempotencyKey: 'k7' }))).toMatch(/^VENUE.INVALID_ORDER .*8 decimals/);
    expect(balance(a, 'mm', 'USDT')).toEqual({ free: '100', locked: '0' });
    // A refused key is not remembered: the same key works once funds are there.
    a.fund('mm', 'USDT', '1');
    expect(await fail(req({ amount: '100' }))).toBe('accepted');
  });
});

describe('TransferNetwork between exchanges', () => {
  it('a withdrawal from alpha arrives at bravo as a deposit with the same tx hash', async () => {
    const { clock, network, a, b } = world();
    a.fund('mm', 'BLST', '1000');
    const dest = await clock.resolve(b.depositAddress('mm', 'BLST')); // t = 20
    const w = await clock.resolve(a.withdraw('mm', { asset: 'BLST', amount: '300', address: dest, network: 'ERC20', idempotencyKey: 'rebalance:7' })); // executed t = 30
    // processing 30 s → broadcast at 30_030; inclusion +1 s → 31_030; 3 blocks of 12 s → credited at 67_030.
    clock.runUntil(67_029);
    expect(balance(b, 'mm', 'BLST').free).toBe('0');
    const pendingAtB = b.depositRecords('mm')[0]!;
    expect(pendingAtB).toMatchObject({ status: 'confirming', confirmations: 2, timestamp: 31_030 });
    expect(network.inFlight('BLST')).toBe('300');
    clock.runUntil(67_030);
    expect(balance(b, 'mm', 'BLST').free).toBe('300');
    expect(network.inFlight('BLST')).toBe('0');
    const [wa] = await clock.resolve(a.withdrawals('mm'));
    const [db] = await clock.resolve(b.deposits('mm'));
    expect(db!.txHash).toBe(wa!.txHash);
    expect(db).toMatchObject({ amount: '300', status: 'ok', address: dest });
    expect(wa).toMatchObject({ id: w.id, amount: '300', fee: '2', status: 'ok' });
    expect(balance(a, 'mm', 'BLST')).toEqual({ free: '698', locked: '0' });
  });

  it('conserves every asset: exchanges + in flight + external + fees never change', async () => {
    const { clock, network, a, b } = world(21);
    const user = evmAddress('user');
    const cold = evmAddress('cold');
    network.registerExternalWallet(cold, 'cold');
    network.mintExternal(user, 'BLST', '5000');
    network.mintExternal(user, 'USDT', '5000');
    for (const ex of [a, b]) {
      ex.fund('mm', 'BLST', '10000');
      ex.fund('mm', 'USDT', '20000');
      ex.fund('taker', 'USDT', '20000');
      ex.fund('taker', 'BLST', '10000');
    }
    const total = (asset: string): string =>
      [a.holdings(asset), b.holdings(asset), a.feesCollected(asset), b.feesCollected(asset), network.inFlight(asset), network.externalTotal(asset)]
        .reduce((acc, v) => acc.plus(v), new D(0))
        .toFixed();
    const supply = { BLST: total('BLST'), USDT: total('USDT') };
    expect(supply).toEqual({ BLST: '45000', USDT: '85000' });

    const rng = mulberry32(77);
    const addrs = {
      aMm: await clock.resolve(a.depositAddress('mm', 'BLST')),
      bMm: await clock.resolve(b.depositAddress('mm', 'USDT')),
      bTaker: await clock.resolve(b.depositAddress('taker', 'BLST')),
    };
    network.sendFromExternal(user, addrs.aMm, 'BLST', '1234.5');
    network.sendFromExternal(user, addrs.bMm, 'USDT', '999.99');
    const checks: string[] = [];
    for (let round = 0; round < 40; round++) {
      const ex = rng() < 0.5 ? a : b;
      const other = ex === a ? b : a;
      const price = (2 + Math.floor(rng() * 100) / 100).toFixed(2);
      const amount = (10 + Math.floor(rng() * 50)).toString();
      const ops: Promise<unknown>[] = [
        ex.placeOrder('mm', { side: rng() < 0.5 ? 'buy' : 'sell', type: 'limit', price, amount, postOnly: true }),
        ex.placeOrder('taker', { side: rng() < 0.5 ? 'buy' : 'sell', type: 'limit', price, amount, timeInForce: 'IOC' }),
      ];
      if (round % 5 === 0) {
        const dest = round % 10 === 0 ? cold : other === b ? addrs.bTaker : addrs.aMm;
        ops.push(ex.withdraw('taker', { asset: 'BLST', amount: String(5 + round), address: dest, network: 'ERC20', idempotencyKey: `r${round}` }));
      }
      await clock.resolve(Promise.allSettled(ops));
      await clock.runForAsync(Math.floor(rng() * 20_000));
      checks.push(`${round}:${total('BLST')}/${total('USDT')}`);
    }
    clock.runAll();
    checks.push(`end:${total('BLST')}/${total('USDT')}`);
    expect(checks).toHaveLength(41);
    expect(checks.filter((c) => !c.endsWith(`:${supply.BLST}/${supply.USDT}`))).toEqual([]);
    // Something actually moved: trades paid fees, transfers reached the cold wallet and bravo.
    expect(new D(a.feesCollected('USDT')).plus(b.feesCollected('USDT')).gt(0)).toBe(true);
    expect(new D(network.externalBalance(cold, 'BLST')).gt(0)).toBe(true);
    expect(network.transfers().filter((t) => t.destination.kind === 'exchange').length).toBeGreaterThan(2);
    expect(network.inFlight('BLST')).toBe('0');
  });
});

describe('a fixed deposit address per account', () => {
  it('serves every asset of the account from the assigned address and routes deposits to it', async () => {
    const clock = new VirtualClock(0);
    const network = new TransferNetwork({ delayMs: { min: 0, max: 0 } }, { clock, rng: mulberry32(1) });
    const ex = new SimExchange(presetExchangeConfig('alpha', { latencyMs: { min: 0, max: 0 } }), { clock, rng: mulberry32(2), network });
    const address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
    ex.assignDepositAddress('ballast', address);
    expect(await clock.resolve(ex.depositAddress('ballast', 'BLST'))).toBe(address);
    expect(await clock.resolve(ex.depositAddress('ballast', 'USDT'))).toBe(address);
    expect(network.owner(address)).toMatchObject({ kind: 'exchange', exchangeId: 'alpha', account: 'ballast' });
    // Another account keeps its derived addresses; assigning after addresses exist is refused.
    expect(await clock.resolve(ex.depositAddress('other', 'BLST'))).not.toBe(address);
    expect(() => ex.assignDepositAddress('other', '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC')).toThrow(/already has deposit addresses/);
  });
});
