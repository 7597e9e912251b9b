// A market scenario: venues (CEX markets, AMM pools), the fundamental price process, the external
// agents with their budgets, duration, time step and seed. Model parameters (rates, volatilities,
// probabilities, thresholds) are numbers; money (balances, reserves, ticks, lots, fees, gas, minimum
// profits) are decimals, quoted in YAML. Every error names its field.
import { z } from 'zod';
import { D, zDecimal, zNonNegativeDecimal, zPositiveDecimal } from '../../domain/money';
import { zMarket, zVenueId } from '../../domain/config.schema';
import { FaultSpecSchema } from '../exchange/fault-injector';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "30s", "5m", "1h", "250ms" → milliseconds. */
export function parseDurationMs(s: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(s);
  if (!m) throw new RangeError(`expected a duration like "30s", got ${JSON.stringify(s)}`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

export const zDurationMs = z
  .string({ error: (iss) => (iss.input === undefined ? 'required: expected a duration like "30s", "5m", "1h"' : 'expected a duration like "30s", "5m", "1h"') })
  .regex(/^\d+(ms|s|m|h|d)$/, 'expected a duration like "30s", "5m", "1h"')
  .transform(parseDurationMs);

const zPositiveDurationMs = zDurationMs.refine((v) => v > 0, { message: 'must be longer than 0' });
const zPct = z.number().nonnegative();
const zProb = z.number().min(0).max(1);
const zRate = z.number().positive();

export const BalancesSchema = z.object({ base: zNonNegativeDecimal, quote: zNonNegativeDecimal }).strict();

export const BackgroundLiquiditySchema = z
  .object({
    halfSpreadPct: zPct,
    levels: z.number().int().min(1).max(100),
    stepPct: z.number().positive(),
    levelQuote: zPositiveDecimal,
    refreshEvery: zPositiveDurationMs.default(5000),
    followTape: zProb.default(0.3),
    reversionPerHour: z.number().nonnegative().default(1),
    balances: BalancesSchema,
  })
  .strict();

// A fault window on one CEX venue: any FaultInjector fault (sim/exchange/fault-injector.ts) from
// `at` (offset from the scenario start, like `scheduledJumps[].at`) for `duration`. Faults hit the
// venue's API clients (Ballast through SimExchange); agents trading on the engine directly go on —
// see sim/backtest/fault-schedule.ts for why.
const faultWindow = { at: zDurationMs, duration: zPositiveDurationMs };
const [outageFault, http5xxFault, timeoutsFault, staleBookFault, withdrawalsFault] = FaultSpecSchema.options;
export const ScheduledFaultSchema = z.discriminatedUnion('kind', [
  outageFault.extend(faultWindow),
  http5xxFault.extend(faultWindow),
  timeoutsFault.extend(faultWindow),
  staleBookFault.extend(faultWindow),
  withdrawalsFault.extend(faultWindow),
]);

export const CexVenueSchema = z
  .object({
    id: zVenueId,
    kind: z.literal('cex'),
    market: zMarket,
    rules: z.object({ tickSize: zPositiveDecimal, lotSize: zPositiveDecimal, minNotional: zNonNegativeDecimal }).strict(),
    fees: z.object({ maker: zDecimal, taker: zNonNegativeDecimal }).strict(),
    /** The engine's backstop (default expire_maker); agents avoid self-trades before it is needed. */
    selfTradePrevention: z.enum(['expire_taker', 'expire_maker', 'expire_both']).optional(),
    /** Optional passive "rest of the market" ladder (not Ballast's market maker). */
    backgroundLiquidity: BackgroundLiquiditySchema.optional(),
    /** Fault windows on this venue's API (outage, error bursts, stale book, withdrawals suspended). */
    faults: z.array(ScheduledFaultSchema).default([]),
  })
  .strict();

export const AmmVenueSchema = z
  .object({
    id: zVenueId,
    kind: z.literal('amm'),
    market: zMarket,
    protocol: z.literal('uniswap-v2').default('uniswap-v2'),
    reserves: z.object({ base: zPositiveDecimal, quote: zPositiveDecimal }).strict(),
    decimals: z
      .object({ base: z.number().int().min(0).max(36), quote: z.number().int().min(0).max(36) })
      .strict()
      .default({ base: 18, quote: 6 }),
  })
  .strict();

export const ScenarioVenueSchema = z.discriminatedUnion('kind', [CexVenueSchema, AmmVenueSchema]);

const agentCommon = {
  id: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'expected an id: a lowercase letter, then lowercase letters, digits or "-" (2-41 chars)'),
  /** Identical agents with ids `<id>-1 … <id>-n`, each with its own seed and budget. */
  count: z.number().int().min(1).max(100).default(1),
  venues: z.array(zVenueId).min(1),
  /** Credited on each of the agent's venues at the start. */
  balances: BalancesSchema,
  /** Per-venue overrides of `balances`. */
  venueBalances: z.record(zVenueId, BalancesSchema).optional(),
};

export const NoiseAgentSchema = z
  .object({
    kind: z.literal('noise'),
    ...agentCommon,
    ratePerMinute: zRate,
    sizeQuote: z.object({ median: z.number().positive(), sigma: z.number().nonnegative() }).strict(),
    marketableProb: zProb.default(0.5),
    buyProb: zProb.default(0.5),
    maxSlippagePct: zPct.default(1),
    passiveOffsetPct: zPct.default(1),
    passiveTtl: zPositiveDurationMs.default(300_000),
  })
  .strict();

export const InformedAgentSchema = z
  .object({
    kind: z.literal('informed'),
    ...agentCommon,
    ratePerMinute: zRate,
    lead: zDurationMs.default(0),
    noisePct: zPct.default(0.1),
    thresholdPct: z.number().positive(),
    maxQuote: z.number().positive(),
  })
  .strict();

export const MomentumAgentSchema = z
  .object({
    kind: z.literal('momentum'),
    ...agentCommon,
    ratePerMinute: zRate,
    lookback: zPositiveDurationMs,
    thresholdPct: z.number().positive(),
    sizeQuote: z.number().positive(),
    maxSlippagePct: zPct.default(1),
  })
  .strict();

export const PanicAgentSchema = z
  .object({
    kind: z.literal('panic'),
    ...agentCommon,
    ratePerMinute: zRate,
    window: zPositiveDurationMs,
    drawdownPct: z.number().positive(),
    sellFraction: zProb,
    maxSlippagePct: zPct.default(2),
    cooldown: zDurationMs.default(600_000),
  })
  .strict();

export const WhaleAgentSchema = z
  .object({
    kind: z.literal('whale'),
    ...agentCommon,
    /** Start window from the run start: fixed with `from` = `to`, random otherwise. */
    start: z.object({ from: zDurationMs, to: zDurationMs }).strict(),
    duration: zPositiveDurationMs,
    totalBase: zPositiveDecimal,
    slices: z.number().int().min(1).max(10_000),
    maxSlippagePct: zPct.default(2),
    jitter: zProb.default(0.3),
  })
  .strict()
  .refine((w) => w.start.to >= w.start.from, { path: ['start', 'to'], message: 'must not be before start.from' });

export const ArbitrageAgentSchema = z
  .object({
    kind: z.literal('arbitrage'),
    ...agentCommon,
    ratePerMinute: zRate,
    minProfitQuote: zPositiveDecimal,
    gasQuote: zNonNegativeDecimal.default('0'),
    maxTradeQuote: z.number().positive(),
    depth: z.number().int().min(1).max(500).default(25),
    maxTradesPerCheck: z.number().int().min(1).max(50).default(3),
  })
  .strict();

export const AgentSchema = z.discriminatedUnion('kind', [NoiseAgentSchema, InformedAgentSchema, MomentumAgentSchema, PanicAgentSchema, WhaleAgentSchema, ArbitrageAgentSchema]);

export const FundamentalSchema = z
  .object({
    initial: z.number().positive(),
    drift: z.number().default(0),
    volatility: z.number().nonnegative(),
    jumps: z
      .object({ intensityPerDay: z.number().nonnegative(), meanLog: z.number(), volLog: z.number().nonnegative() })
      .strict()
      .default({ intensityPerDay: 0, meanLog: 0, volLog: 0 }),
    scheduledJumps: z.array(z.object({ at: zDurationMs, logSize: z.number() }).strict()).default([]),
    factor: z
      .object({ initial: z.number().positive().default(100), drift: z.number().default(0), volatility: z.number().nonnegative() })
      .strict(),
    correlation: z.number().min(-1).max(1).default(0),
  })
  .strict();

export const ScenarioSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    seed: z.number().int().nonnegative().max(0xffffffff),
    /** Virtual start time (ISO 8601); a RealClock run starts at wall time instead. */
    startTime: z.iso.datetime().default('2025-01-01T00:00:00Z'),
    duration: zPositiveDurationMs,
    timeStep: zPositiveDurationMs.default(1000),
    /** How often the summary samples venue mids and the fundamental. */
    sampleEvery: zPositiveDurationMs.default(60_000),
    /** Spacing of the mid history agents look back on (momentum lookback, panic window). */
    historyEvery: zPositiveDurationMs.default(5000),
    fundamental: FundamentalSchema,
    venues: z.array(ScenarioVenueSchema).min(1),
    agents: z.array(AgentSchema).default([]),
  })
  .strict()
  .superRefine((s, ctx) => {
    const venues = new Map<string, z.output<typeof ScenarioVenueSchema>>();
    s.venues.forEach((v, i) => {
      if (venues.has(v.id)) ctx.addIssue({ code: 'custom', path: ['venues', i, 'id'], message: `duplicate venue id "${v.id}"` });
      venues.set(v.id, v);
      if (v.kind === 'cex') checkFaults(v.faults, s.duration, ['venues', i, 'faults'], ctx);
    });
    const bases = new Set(s.venues.map((v) => v.market.split('/')[0]));
    if (bases.size > 1) ctx.addIssue({ code: 'custom', path: ['venues'], message: 'every venue must trade the same base asset' });
    if (s.timeStep > s.duration) ctx.addIssue({ code: 'custom', path: ['timeStep'], message: 'must not exceed duration' });
    const ids = new Set<string>();
    s.agents.forEach((a, i) => {
      if (ids.has(a.id)) ctx.addIssue({ code: 'custom', path: ['agents', i, 'id'], message: `duplicate agent id "${a.id}"` });
      ids.add(a.id);
      a.venues.forEach((v, j) => {
        if (!venues.has(v)) ctx.addIssue({ code: 'custom', path: ['agents', i, 'venues', j], message: `unknown venue "${v}"` });
      });
      for (const v of Object.keys(a.venueBalances ?? {})) {
        if (!a.venues.includes(v)) ctx.addIssue({ code: 'custom', path: ['agents', i, 'venueBalances', v], message: `not one of the agent's venues` });
      }
      if (a.kind === 'arbitrage') {
        const kinds = a.venues.map((v) => venues.get(v)?.kind);
        if (a.venues.length < 2 || !kinds.includes('cex')) {
          ctx.addIssue({ code: 'custom', path: ['agents', i, 'venues'], message: 'an arbitrageur needs at least two venues, one of them a CEX' });
        }
      }
      if (a.kind === 'whale' && new D(a.totalBase).gt(0) && a.start.from + a.duration > s.duration) {
        ctx.addIssue({ code: 'custom', path: ['agents', i, 'duration'], message: 'the sell-off must end within the scenario duration (start.from + duration)' });
      }
    });
  });

/**
 * Faults start within the run, and two windows of the same kind on one venue never overlap: the
 * injector keeps one expiry per kind, so an inner window would end an outer one early.
 */
function checkFaults(faults: readonly z.output<typeof ScheduledFaultSchema>[], durationMs: number, path: (string | number)[], ctx: z.RefinementCtx): void {
  faults.forEach((f, j) => {
    if (f.at >= durationMs) ctx.addIssue({ code: 'custom', path: [...path, j, 'at'], message: 'must be before the end of the scenario (duration)' });
    faults.forEach((g, k) => {
      if (k < j && g.kind === f.kind && f.at < g.at + g.duration && g.at < f.at + f.duration) {
        ctx.addIssue({ code: 'custom', path: [...path, j, 'at'], message: `overlaps faults[${k}], also "${f.kind}": windows of one kind must not overlap` });
      }
    });
  });
}

export type Scenario = z.output<typeof ScenarioSchema>;
export type ScenarioVenue = z.output<typeof ScenarioVenueSchema>;
export type CexScenarioVenue = z.output<typeof CexVenueSchema>;
export type ScheduledFault = z.output<typeof ScheduledFaultSchema>;
export type AmmScenarioVenue = z.output<typeof AmmVenueSchema>;
export type ScenarioAgent = z.output<typeof AgentSchema>;
