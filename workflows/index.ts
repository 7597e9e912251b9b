// Every workflow type the Ballast worker registers. Workflow code only: deterministic, no I/O.
export { complianceCheck } from './compliance-check.workflow';
export { liquidityCoordinator } from './liquidity-coordinator.workflow';
