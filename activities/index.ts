import type { Logger } from 'pino';
import type { BallastConfig } from '../domain/config.schema';
import type { VenueRegistry } from '../venues/market-data.port';
import { createComplianceActivities } from './compliance.activities';

export interface ActivityDeps {
  config: BallastConfig;
  venues: VenueRegistry;
  logger: Logger;
}

/** All activities the Ballast worker registers, built from their dependencies. */
export function createActivities(deps: ActivityDeps) {
  return { ...createComplianceActivities(deps) };
}
