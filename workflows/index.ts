// Every workflow type the Ballast worker registers. Workflow code only: deterministic, no I/O.
export { complianceCheck } from './compliance-check.workflow';
export { liquidityCoordinator } from './liquidity-coordinator.workflow';
export { fundTransfer } from './fund-transfer.workflow';
export { withdrawal } from './withdrawal.workflow';
export { rebalance } from './rebalance.workflow';
export { venueRisk } from './venue-risk.workflow';
export { buyback, liquidation } from './price-action.workflow';
export { dailyReport } from './daily-report.workflow';
