import { mulberry32 } from '../../domain/rng';
import { VirtualClock } from '../../hotpath/clocks';
import { TX_HASH_RE, evmAddress } from '../../sim/exchange/hex-ids';
import { TransferNetwork, type ChainTransfer, type DepositSink } from '../../sim/exchange/transfer-network';

const COLD = evmAddress('test', 'cold');
const USER = evmAddress('test', 'user');
const DEPOSIT = evmAddress('test', 'deposit');

/** A sink that credits when told to, so the test controls when funds stop being in flight. */
class RecordingSink implements DepositSink {
  readonly id = 'fake';
  readonly arrivals: { t: ChainTransfer; at: number; credit: () => void }[] = [];
  constructor(private readonly clock: VirtualClock) {}
  onChainArrival(t: ChainTransfer, credited: () => void): void {
    this.arrivals.push({ t, at: this.clock.now(), credit: credited });
  }
}

function setup(delay = { min: 100, max: 100 }) {
  const clock = new VirtualClock();
  const net = new TransferNetwork({ delayMs: delay }, { clock, rng: mulberry32(3) });
  return { clock, net };
}

describe('TransferNetwork', () => {
  it('routes a transfer to the exchange owning the address after the delay, keeping the tx hash', () => {
    const { clock, net } = setup();
    const sink = new RecordingSink(clock);
    net.registerDepositAddress(DEPOSIT, sink, 'mm');
    net.mintExternal(USER, 'BLST', '50');
    const sent = net.sendFromExternal(USER, DEPOSIT, 'BLST', '20');
    expect(sent.txHash).toMatch(TX_HASH_RE);
    expect(sent.destination).toEqual({ kind: 'exchange', exchangeId: 'fake', account: 'mm' });
    expect(net.externalBalance(USER, 'BLST')).toBe('30');
    expect(net.inFlight('BLST')).toBe('20');
    clock.runUntil(99);
    expect(sink.arrivals).toHaveLength(0);
    clock.runUntil(100);
    expect(sink.arrivals).toHaveLength(1);
    expect(sink.arrivals[0]!.t).toEqual({ txHash: sent.txHash, network: 'ERC20', asset: 'BLST', amount: '20', from: USER, to: DEPOSIT, sentAt: 0 });
    // Still in flight until the exchange says it credited the account.
    expect(net.inFlight('BLST')).toBe('20');
    expect(net.transfer(sent.txHash)!.status).toBe('arrived');
    sink.arrivals[0]!.credit();
    expect(net.inFlight('BLST')).toBe('0');
    expect(net.transfer(sent.txHash)!.status).toBe('credited');
  });

  it('lands transfers to unknown addresses in the external ledger, with the label of a known wallet', () => {
    const { clock, net } = setup();
    net.registerExternalWallet(COLD, 'treasury cold wallet');
    const stranger = evmAddress('test', 'stranger');
    const a = net.broadcast({ txHash: '0x' + 'a'.repeat(64), asset: 'USDT', amount: '1000.5', from: USER, to: COLD });
    const b = net.broadcast({ txHash: '0x' + 'b'.repeat(64), asset: 'USDT', amount: '1', from: USER, to: stranger });
    expect(net.inFlight('USDT')).toBe('1001.5');
    clock.runAll();
    expect(net.externalBalance(COLD, 'USDT')).toBe('1000.5');
    expect(net.externalBalance(stranger.toUpperCase().replace('0X', '0x'), 'USDT')).toBe('1'); // addresses are case-insensitive
    expect(net.inFlight('USDT')).toBe('0');
    expect(net.externalTotal('USDT')).toBe('1001.5');
    expect(net.externalLedger()).toEqual([
      { txHash: a.txHash, address: COLD, label: 'treasury cold wallet', asset: 'USDT', amount: '1000.5', at: 100 },
      { txHash: b.txHash, address: stranger, asset: 'USDT', amount: '1', at: 100 },
    ]);
  });

  it('samples the delay from the seeded rng within [min, max]: same seed, same arrival times', () => {
    const arrivals = (seed: number): number[] => {
      const clock = new VirtualClock();
      const net = new TransferNetwork({ delayMs: { min: 1000, max: 5000 } }, { clock, rng: mulberry32(seed) });
      net.mintExternal(USER, 'BLST', '100');
      for (let i = 0; i < 10; i++) net.sendFromExternal(USER, COLD, 'BLST', '1');
      clock.runAll();
      return net.transfers().map((t) => t.arrivedAt!);
    };
    const a = arrivals(11);
    expect(a).toEqual(arrivals(11));
    expect(a).not.toEqual(arrivals(12));
    for (const t of a) {
      expect(t).toBeGreaterThanOrEqual(1000);
      expect(t).toBeLessThanOrEqual(5000);
    }
  });

  it('refuses bad addresses, overdrafts of external wallets and address collisions', () => {
    const { clock, net } = setup();
    expect(() => net.broadcast({ txHash: '0x' + '1'.repeat(64), asset: 'BLST', amount: '1', from: USER, to: '0x1234' })).toThrow(/20-byte hex/);
    net.mintExternal(USER, 'BLST', '1');
    expect(() => net.sendFromExternal(USER, COLD, 'BLST', '1.5')).toThrow(/has 1 BLST, cannot send 1.5/);
    expect(net.externalBalance(USER, 'BLST')).toBe('1');
    const sink = new RecordingSink(clock);
    net.registerDepositAddress(DEPOSIT, sink, 'mm');
    expect(() => net.registerDepositAddress(DEPOSIT, sink, 'someone-else')).toThrow(/already belongs/);
    expect(() => net.registerExternalWallet(DEPOSIT, 'x')).toThrow(/exchange deposit address/);
    expect(() => new TransferNetwork({ delayMs: { min: 5, max: 1 } }, { clock, rng: mulberry32(1) })).toThrow(/delayMs.min/);
  });
});
