// Who may use the codec endpoints (they decrypt every payload of every workflow). With a token
// configured, a request needs one of:
// - `Authorization: Bearer <token>` — the Temporal CLI (`--codec-auth "Bearer <token>"`), scripts;
// - the session cookie that `POST /codec/login` sets after the operator typed the token once — the
//   Web UI, whose codec calls carry cookies when it runs with TEMPORAL_CODEC_INCLUDE_CREDENTIALS=true
//   (or "Include cross-origin credentials" in its Codec Server settings). HttpOnly, SameSite=Strict:
//   the UI must be reached on the same host name as the API (localhost and localhost, not 127.0.0.1).
// The cookie holds an expiry and an HMAC keyed by the token, never the token; rotating the token
// ends every session. Without a token the endpoints are open, which is allowed only on a loopback
// bind (the embedded `npm start`): a non-loopback bind without a token refuses to start.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../config/load';

export const CODEC_TOKEN_ENV = 'BALLAST_CODEC_TOKEN';
export const CODEC_TOKEN_FILE_ENV = 'BALLAST_CODEC_TOKEN_FILE';
export const CODEC_COOKIE = 'ballast_codec';
/** How long a Web UI session lasts before the operator types the token again. */
export const CODEC_SESSION_MS = 12 * 3_600_000;

const zToken = z
  .string()
  .min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)')
  .max(512, 'must be at most 512 characters')
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

export interface CodecAuth {
  /** The shared secret; undefined = open endpoints (loopback only). */
  token?: string;
}

/**
 * The token from BALLAST_CODEC_TOKEN, or the file BALLAST_CODEC_TOKEN_FILE names (a docker/k8s
 * secret). Errors name the variable, never the value.
 */
export function codecAuthFromEnv(env: Record<string, string | undefined>): CodecAuth {
  const direct = env[CODEC_TOKEN_ENV]?.trim();
  const file = env[CODEC_TOKEN_FILE_ENV]?.trim();
  if (direct && file) throw new ConfigError(`set one of ${CODEC_TOKEN_ENV} and ${CODEC_TOKEN_FILE_ENV}, not both`);
  let token = direct;
  let source = CODEC_TOKEN_ENV;
  if (file) {
    source = `${CODEC_TOKEN_FILE_ENV} (${file})`;
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch (e) {
      throw new ConfigError(`${source}: cannot read the codec token file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (!token) return {};
  const r = zToken.safeParse(token);
  if (!r.success) throw new ConfigError(`${source}: the codec token ${r.error.issues[0]?.message ?? 'is invalid'}`);
  return { token: r.data };
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** A non-loopback bind without a token would decrypt for anyone on the network: refuse to start. */
export function assertCodecAuthForBind(host: string, auth: CodecAuth): void {
  if (auth.token !== undefined || isLoopbackHost(host)) return;
  throw new ConfigError(
    `api.host ${host} is not a loopback address and the codec endpoints decrypt payloads: set ${CODEC_TOKEN_ENV} (or ${CODEC_TOKEN_FILE_ENV}) to require a credential, or bind the API to 127.0.0.1`,
  );
}

const mac = (token: string, expires: number): string => createHmac('sha256', token).update(`ballast-codec-session:${expires}`).digest('base64url');

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The cookie value of a session that ends at `expires` (epoch ms). */
export function sessionValue(token: string, expires: number): string {
  return `v1.${expires}.${mac(token, expires)}`;
}

export function sessionCookie(token: string, nowMs: number): string {
  const expires = nowMs + CODEC_SESSION_MS;
  return `${CODEC_COOKIE}=${sessionValue(token, expires)}; Path=/codec; Max-Age=${CODEC_SESSION_MS / 1000}; HttpOnly; SameSite=Strict`;
}

export const clearedSessionCookie = `${CODEC_COOKIE}=; Path=/codec; Max-Age=0; HttpOnly; SameSite=Strict`;

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

export type CodecAuthResult = { ok: true; via: 'open' | 'bearer' | 'cookie' } | { ok: false; status: 401 | 403; error: string };

/** Checks a request's Authorization header and cookie against the token. */
export function checkCodecRequest(auth: CodecAuth, headers: { authorization?: string; cookie?: string }, nowMs: number): CodecAuthResult {
  if (auth.token === undefined) return { ok: true, via: 'open' };
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
  if (bearer !== undefined) {
    return sameSecret(bearer, auth.token) ? { ok: true, via: 'bearer' } : { ok: false, status: 403, error: 'the codec bearer token is wrong' };
  }
  const session = cookieValue(headers.cookie, CODEC_COOKIE);
  if (session !== undefined) {
    const m = /^v1\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(session);
    const expires = m ? Number(m[1]) : NaN;
    if (!m || !sameSecret(m[2]!, mac(auth.token, expires))) return { ok: false, status: 403, error: 'the codec session cookie is not valid: log in again at /codec/login' };
    if (expires <= nowMs) return { ok: false, status: 401, error: 'the codec session has expired: log in again at /codec/login' };
    return { ok: true, via: 'cookie' };
  }
  return { ok: false, status: 401, error: 'the codec endpoints need a credential: Authorization: Bearer <token>, or log in at /codec/login for the Web UI' };
}

/** Compares a token typed at /codec/login. */
export function tokenMatches(auth: CodecAuth, typed: unknown): boolean {
  return auth.token !== undefined && typeof typed === 'string' && sameSecret(typed.trim(), auth.token);
}
