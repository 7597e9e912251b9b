// Shared shapes of the emulator's REST routes.
import { D } from '../../domain/money';
import type { ApiCredential } from './binance-auth';
import { errors, symbolId, type TransferWire, type WireContext } from './binance-wire';
import type { EmulatorBackend } from './emulator-backend';

export interface RouteRequest {
  method: string;
  path: string;
  rawQuery: string;
  rawBody: string;
  /** Query and form body parameters together. */
  params: URLSearchParams;
  apiKey?: string;
}

export type Security = 'NONE' | 'SIGNED';

export interface Route {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT';
  path: string;
  security: Security;
  /** Binance REQUEST_WEIGHT of the call. */
  weight: number | ((params: URLSearchParams) => number);
  /** `account` is set for SIGNED routes. Backend failures (VenueError) propagate. */
  handle(params: URLSearchParams, account: ApiCredential | undefined): Promise<unknown>;
}

export interface RouteDeps {
  backend: EmulatorBackend;
  wire: WireContext;
  transfers: TransferWire;
  weightLimit: number;
}

/** The backend account public endpoints are charged to (the simulated exchange rate-limits it). */
export const PUBLIC_ACCOUNT = 'public';

export function required(params: URLSearchParams, name: string): string {
  const v = params.get(name);
  if (v === null || v === '') throw errors.mandatory(name);
  return v;
}

const DECIMAL_PARAM = /^([0-9]{1,20})(\.[0-9]{1,20})?$/;

export function decimalParam(params: URLSearchParams, name: string): string {
  const v = required(params, name);
  if (!DECIMAL_PARAM.test(v)) throw errors.illegal(name);
  return new D(v).toFixed();
}

export function intParam(params: URLSearchParams, name: string): number | undefined {
  const v = params.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d{1,15}$/.test(v)) throw errors.badParam(name, v);
  return Number(v);
}

/** Every spot route names its symbol; this emulator serves one market. */
export function checkSymbol(deps: RouteDeps, params: URLSearchParams, optional = false): void {
  const s = params.get('symbol');
  if (s === null || s === '') {
    if (optional) return;
    throw errors.mandatory('symbol');
  }
  if (s !== symbolId(deps.wire.market)) throw errors.invalidSymbol();
}

export function accountOf(account: ApiCredential | undefined): string {
  // SIGNED routes always get an account; this guards a route declared with the wrong security.
  if (!account) throw errors.apiKeyFormat();
  return account.account;
}
