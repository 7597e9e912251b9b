// Benchmark: events per second through the quoting worker against the simulated venues. A
// QuotingEngine quotes on 3 SimExchanges (alpha, bravo, charlie of the demo scenario) through SimVenue
// adapters and ManagedVenue, in VirtualClock time; the demo scenario's agents and background
// liquidity trade on the same matching engines (ScenarioRunner `engines`), so books and trades move.
// Prints book/trade events delivered to the quoters, quoting cycles, orders placed/cancelled, wall
// time, events/s, and the process RSS at the end with its ratio to the 250 MB goal. Never asserts.
// Run: npx tsx bench/quoting-throughput.bench.ts  (or npm run bench -- quoting)
import { performance } from 'node:perf_hooks';
import { mulberry32 } from '../domain/rng';
import type { OrderBookSnapshot } from '../domain/order-book';
import { VirtualClock } from '../hotpath/clocks';
import { presetExchangeConfig } from '../sim/exchange/exchange-presets';
import { SimExchange } from '../sim/exchange/sim-exchange';
import { TransferNetwork } from '../sim/exchange/transfer-network';
import { loadScenario } from '../sim/market/scenario-loader';
import { ScenarioRunner } from '../sim/market/scenario-runner';
import { ManagedVenue } from '../venues/managed-venue';
import { SimVenue } from '../venues/sim/sim-venue';
import type { PublicTrade } from '../venues/venue.port';
import { QuotingEngine } from '../hotpath/quoting-engine';
import { benchQuoterConfig } from './quoter-config';

const SIM_MS = Number(process.env.BENCH_SIM_HOURS ?? '1') * 3_600_000;
const GOAL_RSS_MB = 250;
const VENUES = ['alpha', 'bravo', 'charlie'] as const;

// Demo fundamental ≈ 0.5 USDT: 2000 USDT of depth per side within ±2 %, a 5-level ladder.
const config = benchQuoterConfig({ orderAmount: '200', targetInventory: '50000', maxInventory: '100000', killInventory: '120000' });

async function main(): Promise<void> {
  const demo = loadScenario('demo');
  const clock = new VirtualClock(Date.parse(demo.startTime));
  const network = new TransferNetwork({ delayMs: { min: 200, max: 400 } }, { clock, rng: mulberry32(7) });
  const counts = { books: 0, trades: 0, tradeBatches: 0 };
  const exchanges = VENUES.map((id, i) => {
    const v = demo.venues.find((x) => x.id === id);
    if (!v || v.kind !== 'cex') throw new Error(`demo scenario has no cex venue ${id}`);
    const [base, quote] = v.market.split('/') as [string, string];
    const market = { symbol: v.market, base, quote, ...v.rules, makerFee: v.fees.maker, takerFee: v.fees.taker };
    const ex = new SimExchange(presetExchangeConfig(id, { market }), { clock, rng: mulberry32(100 + i), network });
    ex.fund('ballast', base, '50000');
    ex.fund('ballast', quote, '25000');
    return ex;
  });
  const runner = new ScenarioRunner(
    { ...demo, duration: SIM_MS },
    { clock, engines: Object.fromEntries(exchanges.map((ex) => [ex.id, ex.engine])) },
  );
  const venues = exchanges.map((ex) => {
    const adapter = new SimVenue(ex, 'ballast', { streamDepth: 50 });
    // Counts what the quoters receive: every stream callback is one event through the worker.
    const watchBook = adapter.watchOrderBook.bind(adapter);
    adapter.watchOrderBook = (onBook: (b: OrderBookSnapshot) => void, onError: (e: Error) => void) =>
      watchBook((b) => {
        counts.books += 1;
        onBook(b);
      }, onError);
    const watchTrades = adapter.watchTrades.bind(adapter);
    adapter.watchTrades = (onTrades: (t: PublicTrade[]) => void, onError: (e: Error) => void) =>
      watchTrades((t) => {
        counts.tradeBatches += 1;
        counts.trades += t.length;
        onTrades(t);
      }, onError);
    return { venue: new ManagedVenue(adapter, { now: () => clock.now(), clientIdPrefix: `bq${ex.id[0]}` }), config };
  });
  const engine = new QuotingEngine({ venues, clock, seed: 1 });

  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  runner.start();
  await clock.resolve(engine.start());
  const simStart = clock.now();
  const clockEvents = await clock.runUntilAsync(runner.startMs + SIM_MS);
  const simulatedMs = clock.now() - simStart;
  await engine.stop();
  runner.stop();
  const wallMs = performance.now() - t0;
  const rss = process.memoryUsage().rss;

  const sum = (k: 'cycles' | 'ticks' | 'placed' | 'canceled' | 'rejected' | 'rateLimited' | 'errors' | 'selfCrossBlocked') => engine.quoters.reduce((s, q) => s + q.stats[k], 0);
  const events = counts.books + counts.tradeBatches;
  const ownTrades = exchanges.reduce((s, ex) => s + ex.engine.myTrades('ballast').length, 0);
  const perVenue = engine.quoters
    .map((q) => `    ${q.venueId.padEnd(8)} cycles ${String(q.stats.cycles).padStart(7)}  placed ${String(q.stats.placed).padStart(6)}  cancelled ${String(q.stats.canceled).padStart(6)}  rejected ${q.stats.rejected}  rate-limited ${q.stats.rateLimited}  errors ${q.stats.errors}${q.stats.lastError ? ` (${q.stats.lastError})` : ''}`)
    .join('\n');
  const lines = [
    `quoting throughput: QuotingEngine on ${exchanges.length} SimExchanges (demo scenario agents on the same books), virtual time, one core`,
    `  simulated time     ${(simulatedMs / 3_600_000).toFixed(2)} h   (${clockEvents} clock events)`,
    `  book events        ${counts.books}`,
    `  trade events       ${counts.tradeBatches} batches, ${counts.trades} public trades`,
    `  quoting cycles     ${sum('cycles')}   (timer ticks ${sum('ticks')}, self-cross blocked ${sum('selfCrossBlocked')})`,
    `  orders             placed ${sum('placed')}, cancelled ${sum('canceled')}, rejected ${sum('rejected')}, rate-limited ${sum('rateLimited')}, errors ${sum('errors')}; Ballast fills ${ownTrades}`,
    perVenue,
    `  wall time          ${(wallMs / 1000).toFixed(2)} s   (${(simulatedMs / wallMs).toFixed(0)}× real time; includes the market simulation)`,
    `  events/s           ${(events / (wallMs / 1000)).toFixed(0)} book+trade events/s   ${(sum('cycles') / (wallMs / 1000)).toFixed(0)} cycles/s`,
    `  RSS at end         ${(rss / 1e6).toFixed(0)} MB (at start ${(rssBefore / 1e6).toFixed(0)} MB)   vs the ${GOAL_RSS_MB} MB goal ${(rss / 1e6 / GOAL_RSS_MB).toFixed(2)}× (below 1 meets it)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

void main();
