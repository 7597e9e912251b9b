import type { Logger } from 'pino';
import type { BallastConfig } from '../domain/config.schema';
import type { VenueRegistry } from '../venues/market-data.port';
import { withDomainErrors } from './boundary';
import { createAlertActivities } from './alerts.activities';
import type { ComplianceHistoryStore } from './compliance-history-store';
import { createComplianceActivities } from './compliance.activities';
import { createPriceActionActivities, type PriceActionDeps } from './price-action.activities';
import { createTreasuryActivities, type TreasuryDeps } from './treasury.activities';

export interface ActivityDeps {
  config: BallastConfig;
  venues: VenueRegistry;
  logger: Logger;
  /** Transfers: venue adapters, ledger, chain. Without it the treasury activities are not registered. */
  treasury?: Omit<TreasuryDeps, 'config' | 'logger'>;
  /** Buybacks / liquidations: limit-order adapters and the ledger. Without it those activities are not registered. */
  priceAction?: Omit<PriceActionDeps, 'config' | 'logger'>;
  /** Compliance over time and alerts (the ledger database); without it windows are not recorded and alerts are only logged. */
  history?: ComplianceHistoryStore;
  /** Where the alert webhook URL is read from (its NAME is config compliance.alerts.webhookUrlEnv). */
  env?: Record<string, string | undefined>;
  now?: () => number;
}

/** All activities the Ballast worker registers, built from their dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createComplianceActivities(deps),
    ...createAlertActivities({ config: deps.config, ...(deps.history ? { store: deps.history } : {}), env: deps.env ?? {}, logger: deps.logger, now: deps.now ?? Date.now }),
    ...(deps.treasury ? withDomainErrors(createTreasuryActivities({ ...deps.treasury, config: deps.config, logger: deps.logger })) : {}),
    ...(deps.priceAction ? withDomainErrors(createPriceActionActivities({ ...deps.priceAction, config: deps.config, logger: deps.logger })) : {}),
  };
}
